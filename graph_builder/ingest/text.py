"""Plain text: encodings are detected, not assumed.

BOMs, strict UTF-8, UTF-16 without BOM, then GB18030 (a superset of GBK/GB2312), with charset-normalizer as
the last resort. Binary junk is rejected with a :class:`ParseError` naming the file.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc, SourceLine


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode *data*, detecting the encoding; returns (text, encoding)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    sample = data[:4096]
    # UTF-16 without BOM: every other byte is NUL for ASCII/CJK-heavy text
    if 0 in sample:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_textual(text):
                return text, enc
        raise ParseError("不是文本文件（含二进制内容）", path=str(path))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_textual(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_textual(str(best)):
        return str(best), best.encoding
    raise ParseError("无法识别文件编码，或不是文本文件", path=str(path))


def _looks_textual(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")
    return bad / min(len(text), 20000) < 0.01


def read_text(path: Path, ctx: ReadContext | None = None) -> SourceDoc:
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("空文件", path=str(path))
    text, enc = decode_bytes(data, path)
    if not _looks_textual(text):
        raise ParseError("不是文本文件（含大量控制字符或乱码）", path=str(path))
    lines = [SourceLine(i, t) for i, t in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
    return SourceDoc(path, lines, enc, "txt")
