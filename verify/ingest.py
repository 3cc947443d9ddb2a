"""Ingest: turn command-line paths into an ordered list of input documents, and read them.

Types are decided by content sniffing, never by file extension. ZIP archives are read as
folders; their members are read into memory (or a temporary file), never extracted next to
the archive, so a hostile member name (``../../etc/passwd``) cannot escape (zip-slip).
"""

from __future__ import annotations

import logging
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO

from .exceptions import UnreadableDocument, UsageError
from .model import InputRef

log = logging.getLogger(__name__)

SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"}
MAX_MEMBER_BYTES = 1 << 30  # a ZIP member larger than 1 GiB is reported unreadable


class FileType(StrEnum):
    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    bmp = "bmp"
    webp = "webp"
    heif = "heif"  # HEIC/HEIF: an iPhone's default photo format
    gif = "gif"
    zip = "zip"
    office = "office"  # docx/xlsx/pptx (a ZIP with [Content_Types].xml) or OLE2 .doc/.xls
    ofd = "ofd"  # a ZIP with OFD.xml (GB/T 33190 版式文档)
    empty = "empty"
    unknown = "unknown"


IMAGE_TYPES = {FileType.png, FileType.jpeg, FileType.tiff, FileType.bmp, FileType.webp,
               FileType.heif}
# ISO base-media brands of still HEIF images (ISO/IEC 23008-12): iPhones write "heic", other
# cameras "mif1"/"heix"; AVIF ("avif") is the same container and libheif reads it too.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def sniff(head: bytes) -> FileType:
    """The type of a file from its first bytes (at least 1 KiB where the file has them)."""
    if not head:
        return FileType.empty
    if head.startswith(b"%PDF-"):
        return FileType.pdf
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.png
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.jpeg
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return FileType.tiff
    if head.startswith(b"BM") and len(head) >= 26:
        return FileType.bmp
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType.webp
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return FileType.heif
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileType.gif
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return FileType.office
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return FileType.zip
    if b"%PDF-" in head[:1024]:  # junk before the header: readers accept it, so do we
        return FileType.pdf
    return FileType.unknown


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_NAMES


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name. Windows tools write GBK names without the UTF-8 flag, which
    ``zipfile`` then decodes as CP437; undo that and try GBK (a superset: GB18030)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _zipped_document(zf: zipfile.ZipFile) -> FileType | None:
    """The one document a ZIP-format file is, if it is one rather than an archive of them."""
    names = set(zf.namelist())
    if "[Content_Types].xml" in names or "mimetype" in names:
        return FileType.office  # docx/xlsx/pptx (OOXML) or odt/ods (ODF)
    if "OFD.xml" in names:
        return FileType.ofd  # GB/T 33190 OFD: China's e-invoices and e-documents
    return None


def zipped_document_type(source: Path | IO[bytes]) -> FileType | None:
    """The office or OFD document type of a ZIP-format file (one document, not an archive of
    them), or None."""
    try:
        with zipfile.ZipFile(source) as zf:
            return _zipped_document(zf)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def require_regular_file(path: Path) -> None:
    """Raise ``UnreadableDocument`` for a pipe, a socket or a device: reading one blocks, or
    never ends (a folder holding a named pipe hung the whole run)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # the read that follows says why
    if not stat.S_ISREG(mode):
        raise UnreadableDocument("not a regular file (a pipe, socket or device)",
                                 "不是普通文件（管道、设备等）")


def _head(path: Path) -> bytes:
    try:
        require_regular_file(path)
    except UnreadableDocument:
        return b""
    with path.open("rb") as f:
        return f.read(2048)


@dataclass(frozen=True)
class _Walked:
    display: str
    path: Path
    group: str


def _walk_folder(root: Path) -> Iterator[_Walked]:
    """Files under ``root`` in a stable order (sorted by name at each level), hidden skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        for name in sorted(filenames):
            if _is_hidden(name):
                continue
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            group = rel.split("/", 1)[0] if "/" in rel else _resolved(root).name
            yield _Walked(rel, p, group)


def _zip_members(zip_path: Path, display: str) -> list[tuple[str, str]] | None:
    """(display name, raw member name) of the documents in a ZIP, sorted by decoded name;
    None if the file is not a readable archive of documents (then it is one document)."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            if _zipped_document(zf) is not None:
                return None
            out = []
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = decode_member_name(info)
                parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "..", ".")]
                if not parts or any(_is_hidden(p) for p in parts):
                    continue
                out.append(("/".join(parts), info.filename))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    out.sort(key=lambda t: t[0])
    return [(f"{display}/{name}", raw) for name, raw in out]


def _resolved(path: Path) -> Path:
    """The absolute path with symlinks resolved, or only made absolute when they cannot be (a
    symlink loop: Python 3.11 raises RuntimeError there): such a file is still an input, and
    reading it reports why it is unreadable."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def collect_inputs(paths: list[Path], exclude: frozenset[Path] = frozenset()) -> list[InputRef]:
    """Every input document under ``paths``, in a stable order. Raises ``UsageError`` for a
    path that does not exist. Each file becomes exactly one ``InputRef`` (a ZIP archive of
    documents becomes one per member). Files in ``exclude`` (resolved paths: the manifest)
    are not documents."""
    refs: list[InputRef] = []
    for arg in paths:
        if not arg.exists():
            raise UsageError(f"no such file or folder: {arg}")
        walked = (_walk_folder(arg) if arg.is_dir()
                  else iter([_Walked(str(arg), arg, _resolved(arg).parent.name)]))
        for item in walked:
            resolved = _resolved(item.path)
            if resolved in exclude:
                continue
            logical = PurePosixPath(resolved.as_posix())
            members = None
            try:
                if sniff(_head(item.path)) is FileType.zip:
                    members = _zip_members(item.path, item.display)
            except OSError:
                members = None
            if members is None:
                refs.append(InputRef(item.display, item.path, logical, None, len(refs), item.group))
                continue
            for member_display, raw in members:
                member_logical = logical / member_display[len(item.display) + 1 :]
                refs.append(InputRef(member_display, item.path, member_logical, raw, len(refs),
                                     item.group))
    return refs


def read_bytes(ref: InputRef) -> bytes:
    """The document's bytes, read-only (the original is never written)."""
    try:
        if ref.member is None:
            require_regular_file(ref.path)
            return ref.path.read_bytes()
        with zipfile.ZipFile(ref.path) as zf:
            info = zf.getinfo(ref.member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise UnreadableDocument(
                    f"archive member too large ({info.file_size} bytes)", "压缩包内文件过大，无法读取"
                )
            return zf.read(info)
    except UnreadableDocument:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError) as exc:
        raise UnreadableDocument(f"cannot read file: {exc}", "文件无法读取（读取失败或压缩包损坏）") from exc
