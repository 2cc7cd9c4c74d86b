"""汇报材料 on the seed build: the .pptx opens with python-pptx and has the listed slides; LibreOffice headless
renders it (and the .docx) with CJK glyphs — Noto Sans CJK in the PDF, and two different ideographs render as
two different pictures (missing-glyph boxes would all look the same).

Needs ``bash scripts/libreoffice.sh`` (Impress + Writer, no GUI, fonts-noto-cjk). Under CI=true a missing
LibreOffice is a failure, not a skip.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

from graph_builder.cli import main

SECTIONS = ("覆盖情况", "孤立项与未承接", "指标一致性", "责任分工")


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    msg = "需要 LibreOffice：bash scripts/libreoffice.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def convert(src: Path, fmt: str, out: Path) -> Path:
    """``soffice --headless --convert-to`` with a private profile (parallel runs do not share one)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    res = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt,
                          "--outdir", str(out), str(src)], capture_output=True, text=True, timeout=240)
    target = out / f"{src.stem}.{fmt.split(':')[0]}"
    assert target.exists(), (res.returncode, res.stdout, res.stderr)
    return target


def slide_texts(path: Path) -> list[str]:
    prs = Presentation(str(path))
    out = []
    for s in prs.slides:
        parts = []
        for sh in s.shapes:
            if sh.has_text_frame:
                parts.append(sh.text_frame.text)
            if sh.has_table:
                parts += [c.text for row in sh.table.rows for c in row.cells]
        out.append("\n".join(parts))
    return out


@pytest.fixture(scope="module")
def decks(seed_store, tmp_path_factory):
    d = tmp_path_factory.mktemp("brief")
    files = {}
    for key, name in (("完善市场监管综合体系", "goal"), ("宿州市", "plan")):
        for suffix in (".pptx", ".docx"):
            f = d / f"{name}{suffix}"
            assert main(["brief", key, "--out", str(f), "--store", str(seed_store.directory)]) == 0
            files[name + suffix] = f
    return files


def test_goal_briefing_has_the_listed_slides(decks):
    prs = Presentation(str(decks["goal.pptx"]))
    texts = slide_texts(decks["goal.pptx"])
    assert len(prs.slides) == 2 + len(SECTIONS)
    assert "完善市场监管综合体系" in texts[0] and "安徽省" in texts[0], "title slide"
    assert any(sh.shape_type == 13 for sh in prs.slides[1].shapes), "the goal view as a picture"
    for sec, text in zip(SECTIONS, texts[2:]):
        assert text.startswith(sec)
    assert "宿州市" in texts[2] and "已承接" in texts[2], "coverage: Suzhou picked the goal up"
    assert "下级未分解落实" in texts[3], "top orphans of the goal's plan"
    assert "目标弱于上级" in texts[4] or "缺少基期值" in texts[4], "indicator flags in Chinese"
    assert "宿州市市场监督管理局" in texts[5], "who is responsible for the implementing items"
    xml = prs.slides[0].shapes[0].text_frame.paragraphs[0].runs[0]._r.xml
    assert 'ea typeface="Noto Sans CJK SC"' in xml, "East Asian font declared"


def test_plan_briefing_covers_the_plan(decks):
    texts = slide_texts(decks["plan.pptx"])
    assert "宿州市" in texts[0]
    assert "上级规划中无对应" in texts[3], "Suzhou's tasks with no Anhui source"


@pytest.mark.parametrize("name", ["goal.pptx", "goal.docx"])
def test_libreoffice_renders_with_cjk_fonts(decks, tmp_path, name):
    pdf = convert(decks[name], "pdf", tmp_path)
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        first = doc.pages[0]
        fonts = {c["fontname"] for c in first.chars}
        text = first.extract_text() or ""
    assert "完善市场监管综合体系" in text.replace(" ", "")
    assert fonts and all("CJK" in f for f in fonts if any("\u4e00" <= c["text"] <= "\u9fff" for c in first.chars
                                                          if c["fontname"] == f)), fonts
    png = convert(decks[name], "png", tmp_path / "png")
    from PIL import Image

    img = Image.open(png).convert("L")
    dark = sum(img.histogram()[:128])
    assert dark > 500, "the slide rendered with visible text"


def test_two_ideographs_render_differently(tmp_path):
    """Missing glyphs all draw the same box: two different titles must render as two different pictures."""
    from PIL import Image
    from pptx.util import Inches

    from graph_builder.briefing import _text

    pixels = []
    for i, title in enumerate(("规划", "监管")):
        prs = Presentation()
        s = prs.slides.add_slide(prs.slide_layouts[6])
        _text(s.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(3)).text_frame, title, 120, True)
        deck = tmp_path / f"t{i}.pptx"
        prs.save(str(deck))
        img = Image.open(convert(deck, "png", tmp_path / f"o{i}")).convert("L")
        assert sum(img.histogram()[:128]) > 1000, "the title drew ink"
        pixels.append(hashlib.sha256(img.tobytes()).hexdigest())
    assert pixels[0] != pixels[1]
