"""Bad inputs of every format: one clear line each, while the good files of the same folder still build."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from graph_builder.cli import main
from graph_builder.errors import ParseError
from graph_builder.ingest import read_document
from graph_builder.pipeline import build
from graph_builder.store import EmbeddedStore

from . import format_fixtures as fx
from .conftest import SEEDS

CI = os.environ.get("CI") == "true"


def password_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 760, "locked")
    c.save()
    return path


def corrupt_doc(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    return path


def html_without_article(path: Path) -> Path:
    path.write_text('<html><head><meta charset="utf-8"><title>首页</title></head><body><ul class="nav"><li><a href="/">首页</a></li>'
                    '<li><a href="/a">政务公开</a></li></ul><div class="footer">主办单位：某某市人民政府办公室</div></body></html>', "utf-8")
    return path


def empty_ofd(path: Path) -> Path:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("OFD.xml", f'<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        z.writestr("Doc_0/Document.xml", f'<ofd:Document {ns}><ofd:Pages></ofd:Pages></ofd:Document>')
    return path


def photo(path: Path) -> Path:
    """A 'scan' of a photo: smooth shapes and a gradient, no text."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360))
    d = ImageDraw.Draw(img)
    for y in range(360):
        d.line([(0, y), (480, y)], fill=(90 + y // 3, 140, 200 - y // 3))
    d.ellipse([120, 80, 300, 260], fill=(230, 190, 60))
    d.rectangle([320, 200, 440, 330], fill=(40, 110, 60))
    img.save(path, "JPEG")
    return path


def test_each_bad_input_is_one_clear_line_and_good_files_still_build(tmp_path):
    d = tmp_path / "plans"
    d.mkdir()
    (d / "jingmen-city.txt").write_bytes((SEEDS / "jingmen-city.txt").read_bytes())
    bad = {
        "locked.pdf": (password_pdf, "密码"),
        "broken.doc": (corrupt_doc, ".doc"),
        "nav-only.html": (html_without_article, "正文"),
        "empty.ofd": (empty_ofd, "OFD"),
        "photo.jpg": (photo, "没有识别到文字"),
    }
    if fx.soffice() is None and not CI:
        del bad["broken.doc"]
    for name, (make, _) in bad.items():
        make(d / name)
    store = EmbeddedStore(tmp_path / "st")
    report = build([d], store, link=False)
    errors = {Path(f.path).name: f.error for f in report.failed}
    assert set(errors) == set(bad)
    for name, (_, words) in bad.items():
        assert name in errors[name] and words in errors[name] and "\n" not in errors[name], errors[name]
        assert "Traceback" not in errors[name] and "内部错误" not in errors[name]
    assert [p.props["region"] for p in store.nodes("Plan") if p.props.get("loaded")] == ["荆门市"]


def test_missing_libreoffice_is_one_line_saying_what_to_install(tmp_path, monkeypatch):
    from graph_builder.ingest import office

    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(ParseError, match="old.doc.*LibreOffice.*libreoffice-writer-nogui"):
        read_document(corrupt_doc(tmp_path / "old.doc"))


@pytest.mark.parametrize("content", [[], ["notes.xyz", "slides.key"]], ids=["empty", "only-unsupported"])
def test_folder_without_plans_is_one_line_and_non_zero_exit(tmp_path, capsys, content):
    d = tmp_path / "plans"
    d.mkdir()
    for name in content:
        (d / name).write_text("x", "utf-8")
    code = main(["build", str(d), "--store", str(tmp_path / "st")])
    out = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in out.err + out.out
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "没有找到规划文件" in lines[0], out.err


def test_unsupported_file_next_to_good_ones_is_named_in_a_warning(tmp_path):
    d = tmp_path / "plans"
    d.mkdir()
    (d / "jingmen-city.txt").write_bytes((SEEDS / "jingmen-city.txt").read_bytes())
    (d / "slides.key").write_bytes(b"PK\x03\x04junk")
    report = build([d], EmbeddedStore(tmp_path / "st"), link=False)
    assert not report.failed
    assert any("slides.key" in w and "不支持" in w for w in report.warnings)
