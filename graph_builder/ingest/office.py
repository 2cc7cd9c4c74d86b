"""Old Word .doc and WPS .wps: converted to .docx by LibreOffice headless, then read as .docx.

LibreOffice comes from Debian's ``libreoffice-writer-nogui`` (``bash scripts/libreoffice.sh``); a missing
converter is one clear line saying what to install. Each conversion uses its own throw-away profile so
parallel builds do not fight over LibreOffice's user directory.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc
from .docx import read_docx
from .text import _looks_textual

TIMEOUT_S = 180


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_office(path: Path, ctx: ReadContext) -> SourceDoc:
    exe = soffice()
    if exe is None:
        raise ParseError("读取 .doc/.wps 需要 LibreOffice：请运行 bash scripts/libreoffice.sh"
                         "（即 apt-get install libreoffice-writer-nogui）", path=str(path))
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("空文件", path=str(path))
    if not _is_office_file(data):
        raise ParseError(f"不是有效的 {path.suffix} 文档（文件已损坏或格式不符）", path=str(path))
    with tempfile.TemporaryDirectory(prefix="plangraph-lo-") as tmp:
        src = Path(tmp) / ("in" + path.suffix.lower())
        src.write_bytes(data)
        try:
            proc = subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)],
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise ParseError(f"LibreOffice 转换超时（{TIMEOUT_S} 秒）", path=str(path)) from exc
        out = Path(tmp) / "in.docx"
        if proc.returncode != 0 or not out.exists():
            raise ParseError("LibreOffice 无法转换该文档（文件可能已损坏）", path=str(path))
        try:
            doc = read_docx(out, ctx, kind=path.suffix.lower().lstrip("."))
        except ParseError as exc:
            raise ParseError(exc.reason, path=str(path)) from exc
    text = "\n".join(ln.text for ln in doc.lines)
    if not _looks_textual(text):
        raise ParseError("文档内容无法识别（文件可能已损坏）", path=str(path))
    doc.path = path
    return doc


def _is_office_file(data: bytes) -> bool:
    """OLE2 compound file (.doc, older .wps) or a zip (.wps saved as OOXML, a mis-named .docx)."""
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or data[:4] == b"PK\x03\x04"
