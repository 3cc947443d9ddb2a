"""Ingest: content sniffing, folder walking, ZIP archives (GBK names, zip-slip)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from verify.exceptions import UnreadableDocument, UsageError
from verify.ingest import FileType, collect_inputs, read_bytes, sniff
from verify.pages import open_document


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", FileType.pdf),
        (b"\n\n%PDF-1.4", FileType.pdf),  # junk before the header is common
        (b"\x89PNG\r\n\x1a\n....", FileType.png),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileType.jpeg),
        (b"II*\x00\x08\x00\x00\x00", FileType.tiff),
        (b"MM\x00*\x00\x00\x00\x08", FileType.tiff),
        (b"BM" + b"\x00" * 40, FileType.bmp),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", FileType.webp),
        (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00", FileType.heif),  # an iPhone photo
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", FileType.heif),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", FileType.unknown),  # an MP4 video
        (b"PK\x03\x04\x14\x00", FileType.zip),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", FileType.office),
        (b"", FileType.empty),
        (b"hello world", FileType.unknown),
    ],
)
def test_sniff_by_content(head: bytes, expected: FileType) -> None:
    assert sniff(head) is expected


def _touch(path: Path, data: bytes = b"%PDF-1.4\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_folder_walk_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    for name in ["B/2.pdf", "A/10.pdf", "A/1.pdf", ".hidden/x.pdf", "A/.DS_Store", "A/.secret.pdf"]:
        _touch(tmp_path / name)
    refs = collect_inputs([tmp_path])
    assert [r.display for r in refs] == ["A/1.pdf", "A/10.pdf", "B/2.pdf"]
    assert [r.index for r in refs] == [0, 1, 2]
    assert [r.group for r in refs] == ["A", "A", "B"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        collect_inputs([tmp_path / "nope"])


def _zip_with_raw_names(path: Path, members: dict[bytes, bytes]) -> None:
    """Write a ZIP whose member names are raw bytes without the UTF-8 flag, as Windows
    Explorer writes GBK names."""


    class RawNameInfo(zipfile.ZipInfo):
        raw_name = b""

        def _encodeFilenameFlags(self) -> tuple[bytes, int]:
            return self.raw_name, self.flag_bits & ~0x800

    with zipfile.ZipFile(path, "w") as zf:
        for raw, data in members.items():
            info = RawNameInfo(raw.decode("cp437"))
            info.raw_name = raw
            zf.writestr(info, data)
    with zipfile.ZipFile(path) as zf:  # really written without the UTF-8 flag
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())


def test_zip_gbk_member_names_are_decoded(tmp_path: Path) -> None:
    zpath = tmp_path / "A01" / "材料.zip"
    zpath.parent.mkdir()
    _zip_with_raw_names(zpath, {"项目封面.pdf".encode("gbk"): b"%PDF-1.4 x",
                                "论文/录用通知.png".encode("gbk"): b"\x89PNG\r\n\x1a\n"})
    refs = collect_inputs([tmp_path])
    assert [r.display for r in refs] == ["A01/材料.zip/论文/录用通知.png", "A01/材料.zip/项目封面.pdf"]
    assert read_bytes(refs[1]) == b"%PDF-1.4 x"
    assert all(r.group == "A01" for r in refs)


def test_zip_utf8_names_and_zip_slip(tmp_path: Path) -> None:
    zpath = tmp_path / "up.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("../../evil.pdf", b"%PDF-1.4 evil")
        zf.writestr("证书.jpg", b"\xff\xd8\xff")
        zf.writestr("__MACOSX/._证书.jpg", b"junk")
    refs = collect_inputs([zpath])
    displays = [r.display for r in refs]
    assert displays == [f"{zpath}/evil.pdf", f"{zpath}/证书.jpg"]
    # Nothing was extracted anywhere: the members are read from the archive in memory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["up.zip"]
    assert read_bytes(refs[0]) == b"%PDF-1.4 evil"


def test_office_zip_is_one_document(tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    refs = collect_inputs([docx])
    assert len(refs) == 1 and refs[0].member is None


def test_an_ofd_e_document_is_one_unreadable_document_not_an_archive(tmp_path: Path) -> None:
    """An OFD file (GB/T 33190, the format of e-invoices) is a ZIP: walked as an archive it
    became a row per XML part and a row per embedded seal image, none of them the document."""
    ofd = tmp_path / "电子证照.ofd"
    with zipfile.ZipFile(ofd, "w") as zf:
        zf.writestr("OFD.xml", "<ofd:OFD/>")
        zf.writestr("Doc_0/Document.xml", "<ofd:Document/>")
        zf.writestr("Doc_0/Res/seal.png", b"\x89PNG\r\n\x1a\n")
    (ref,) = collect_inputs([ofd])
    assert ref.member is None
    with pytest.raises(UnreadableDocument) as err:
        open_document(ref)
    assert "OFD" in err.value.reason_zh and "PDF" in err.value.reason_zh


def test_a_symlink_loop_in_a_folder_is_an_unreadable_input_not_a_crash(tmp_path: Path) -> None:
    """``Path.resolve`` raises RuntimeError on a symlink loop (Python 3.11): the walk crashed
    and the run lost every document. The loop is now an input that cannot be read."""
    from verify.model import Status
    from verify.options import Options
    from verify.pipeline import iter_reports

    _touch(tmp_path / "a.pdf", b"%PDF-1.4\ngarbage")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    refs = collect_inputs([tmp_path])
    assert [r.display for r in refs] == ["a.pdf", "loop"]
    rows = list(iter_reports(Options(paths=(tmp_path,), jobs=1, cache=None, quiet=True)))
    assert [(r.evidence.ref.display, r.evidence.status) for r in rows] == [
        ("a.pdf", Status.unreadable), ("loop", Status.unreadable)]
    assert all(any(f.code == "UNREADABLE" for f in r.findings) for r in rows)


def test_a_named_pipe_in_a_folder_is_unreadable_and_does_not_hang_the_run(tmp_path: Path) -> None:
    """Reading a FIFO blocks until someone writes to it: the run hung on one. A pipe, socket
    or device is an input that cannot be read (an alarm fails the test instead of hanging)."""
    import os
    import signal

    from verify.model import Status
    from verify.options import Options
    from verify.pipeline import iter_reports

    _touch(tmp_path / "a.pdf", b"%PDF-1.4\ngarbage")
    os.mkfifo(tmp_path / "pipe.pdf")

    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError("the run blocked on the pipe")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        rows = list(iter_reports(Options(paths=(tmp_path,), jobs=1, cache=tmp_path / "c.sqlite3", quiet=True)))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert [(r.evidence.ref.display, r.evidence.status) for r in rows] == [
        ("a.pdf", Status.unreadable), ("pipe.pdf", Status.unreadable)]
    assert "not a regular file" in (rows[1].evidence.error or "")
