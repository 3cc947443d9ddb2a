"""verify: pre-screen evidence for professional-title evaluation."""
__version__ = "0.1.0"
