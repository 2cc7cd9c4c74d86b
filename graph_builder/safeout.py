"""Safe output of document text: spreadsheets, terminal and HTML/script embedding.

Plan text comes from outside (portals, e-mail, scans), so every place it leaves the program goes through here:

- spreadsheets: one CSV writer and one xlsx writer. A cell starting with ``= + - @``, tab or CR (or ``'``,
  so the rule is reversible) gets a leading ``'`` (OWASP CSV injection), xlsx cells are strings, never formulas;
  :func:`restore_cell` gives the original text back when the project reads its own CSV (``data/review.csv``);
- terminal: :func:`term_text` is a rich ``Text`` (never parsed as markup) with control characters shown escaped;
- HTML: :func:`html_text` escapes for element content and attributes, :func:`script_json` serialises a value
  for a ``<script>`` block (``</``, ``<!--``, U+2028/U+2029 escaped).
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


# ------------------------------------------------------------------ spreadsheets


def neutralise_cell(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates: numbers stay numbers, risky strings get a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    s = value if isinstance(value, str) else str(value)
    if s and (s[0] in FORMULA_START or s[0] == _QUOTE):
        return _QUOTE + s
    return s


def restore_cell(value: str) -> str:
    """The original text of a cell written by :func:`neutralise_cell` (exact inverse for strings)."""
    return value[1:] if value.startswith(_QUOTE) and len(value) > 1 and value[1] in FORMULA_START + (_QUOTE,) else value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        w.writerow([neutralise_cell(v) for v in row])
    return buf.getvalue()


def write_csv(path: Path, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True,
              lineterminator: str = "\r\n") -> Path:
    """Atomic CSV with neutralised cells (BOM by default so Excel reads UTF-8 Chinese)."""
    from .fileio import atomic_write_text

    path = Path(path)
    atomic_write_text(path, ("\ufeff" if bom else "") + csv_text(header, rows, lineterminator=lineterminator))
    return path


def read_csv_dicts(text: str) -> list[dict[str, str]]:
    """Rows of a CSV written by :func:`write_csv`, cells restored to the original text."""
    return [{restore_cell(k or ""): restore_cell(v or "") for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in str(name) if ch not in "[]:*?/\\'")[:31] or "数据"
    out, n = base, 2
    while out in used:
        out = f"{base[:28]}_{n}"
        n += 1
    used.add(out)
    return out


def xlsx_bytes(sheets: dict[str, tuple[Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx of ``{sheet: (header, rows)}``: every text cell a string (never a formula), neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(_sheet_name(name, used))
        widths: dict[int, int] = {}
        for r, row in enumerate([list(header), *rows], start=1):
            for c, v in enumerate(row, start=1):
                val = neutralise_cell(v)
                if isinstance(val, str):  # XML cannot hold most C0 controls: show them escaped
                    val = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", val)
                cell = ws.cell(row=r, column=c, value=val)
                if isinstance(val, str):
                    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                widths[c] = max(widths.get(c, 4), len(str(val)))
        from openpyxl.utils import get_column_letter

        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = min(60, max(8, w * 1.6))
    if not wb.worksheets:
        wb.create_sheet("数据")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_rows(df) -> tuple[list[Any], list[list[Any]]]:
    """Header and rows of a pandas DataFrame (a non-default index becomes the first column)."""
    import pandas as pd

    keep_index = not isinstance(df.index, pd.RangeIndex)
    header = ([df.index.name or ""] if keep_index else []) + [str(c) for c in df.columns]
    rows = []
    for idx, rec in zip(df.index, df.itertuples(index=False, name=None)):
        vals = [None if _isna(v) else (v.item() if hasattr(v, "item") else v) for v in rec]
        rows.append(([idx] if keep_index else []) + vals)
    return header, rows


def _isna(v) -> bool:
    try:
        return v is None or (isinstance(v, float) and v != v)
    except Exception:  # noqa: BLE001
        return False


def write_xlsx(path: Path, sheets: dict[str, tuple[Sequence[Any], Iterable[Sequence[Any]]]]) -> Path:
    """Atomic .xlsx file (see :func:`xlsx_bytes`)."""
    from .errors import ConfigError

    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: 是一个目录，无法写出 xlsx 文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(xlsx_bytes(sheets))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"无法写出 {path}: {exc.strerror or exc}") from exc
    return path


# ------------------------------------------------------------------ terminal

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _show(m: re.Match) -> str:
    ch = m.group()
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def term_plain(text: Any) -> str:
    """*text* with control and bidi characters shown escaped (``\\x1b``); newline and tab kept."""
    return _CONTROL.sub(_show, "" if text is None else str(text))


def term_text(text: Any, style: str = ""):
    """A rich ``Text`` for document text: never parsed as markup, controls shown escaped."""
    from rich.text import Text

    return Text(term_plain(text), style=style)


def term_markup(text: Any) -> str:
    """Document text to splice into a rich markup string: markup-escaped and control-escaped."""
    from rich.markup import escape

    return escape(term_plain(text))


# ------------------------------------------------------------------ HTML / script


def html_text(text: Any) -> str:
    """Escaped for HTML element content and quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


_SCRIPT_ESC = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or raw line separators can break out."""
    s = json.dumps(value, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESC[m.group()], s)


ID_RX = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]{0,127}$")


def valid_id(value: Any) -> bool:
    """Whether *value* looks like a graph node id (query parameters are checked before use)."""
    return isinstance(value, str) and bool(ID_RX.match(value))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md_text(text: Any) -> str:
    """Document text for ``st.markdown``: every markdown/HTML/directive character backslash-escaped, so a
    title cannot become a link, an image that loads from outside, or a colour directive."""
    return _MD_SPECIAL.sub(r"\\\1", term_plain(text).replace("\n", " "))
