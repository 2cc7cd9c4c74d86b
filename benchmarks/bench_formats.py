"""Plans in the forms officials receive them: build a 4-document folder and compare with the plain-text build.

    .venv/bin/python benchmarks/bench_formats.py [--work DIR] [--scan-pages N]

The folder holds a scanned Suzhou PDF (Pillow + Noto CJK, no text layer; OCR'd offline), a wrapped-line
Zhejiang PDF (reportlab: running header, page numbers), a Zhejiang portal page and a Guangdong .doc written
by LibreOffice — all made here from data/plans. Prints per document: tasks+projects precision/recall and
indicator rows exact against the plain-text build; OCR seconds per page; cold and warm build times; peak memory.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_builder.ingest import ReadContext, read_document  # noqa: E402
from graph_builder.pipeline import build, extract_all  # noqa: E402
from graph_builder.store import EmbeddedStore  # noqa: E402
from tests import format_fixtures as fx  # noqa: E402

SEEDS = ROOT / "data" / "plans"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    ap.add_argument("--scan-pages", type=int, default=0, help="scan only the first N pages' worth of Suzhou (0 = all)")
    ap.add_argument("--timing-pages", type=int, default=3, help="pages of the fresh OCR speed sample")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="plangraph-formats-"))
    folder = work / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    suzhou = (SEEDS / "suzhou-city.txt").read_text("utf-8")
    if args.scan_pages:
        suzhou = "\n".join(suzhou.split("\n")[: args.scan_pages * 12]) + "\n"
    zhejiang = (SEEDS / "zhejiang-province.txt").read_text("utf-8")
    guangdong = (SEEDS / "guangdong-province.txt").read_text("utf-8")
    t0 = time.perf_counter()

    def made(name, make, *a):  # a fixture already in --work is reused, so its OCR cache still applies
        path = folder / name
        return path if path.exists() else make(*a[:1], path, *a[1:])

    docs = {
        "suzhou-scan.pdf": (made("suzhou-scan.pdf", fx.scanned_pdf, suzhou, "宿州市“十四五”市场监管现代化规划"), suzhou),
        "zhejiang-wrapped.pdf": (made("zhejiang-wrapped.pdf", fx.wrapped_pdf, zhejiang, "浙江省市場監管“十四五”規劃"), zhejiang),
        "zhejiang-portal.html": (made("zhejiang-portal.html", fx.portal_html, zhejiang), zhejiang),
        "guangdong.doc": (made("guangdong.doc", fx.word_doc, guangdong), guangdong),
    }
    print(f"fixtures ready in {time.perf_counter() - t0:.1f} s → {folder}")

    # OCR speed on a fresh sample (no cache): the first pages of the Suzhou scan
    sample_text = "\n".join((SEEDS / "suzhou-city.txt").read_text("utf-8").split("\n")[: 12 * args.timing_pages]) + "\n"
    sample = fx.scanned_pdf(sample_text, work / "ocr-sample.pdf", "宿州市“十四五”市场监管现代化规划")
    t0 = time.perf_counter()
    sample_doc = read_document(sample, ReadContext())
    sample_s = time.perf_counter() - t0
    print(f"OCR sample: {sample_doc.ocr_pages} pages in {sample_s:.1f} s")

    store = EmbeddedStore(work / "store")
    t0 = time.perf_counter()
    report = build([folder], store, link=True)
    cold = time.perf_counter() - t0
    ocr_s, ocr_pages = report.timings.get("ocr", 0.0), int(report.timings.get("ocr_pages", 0))
    for f in report.files:
        state = "失败 " + f.error if f.error else ("重复（同一规划，只保留一份）" if f.duplicate_of else "成功")
        print(f"  {Path(f.path).name:24s} {state}")
    t0 = time.perf_counter()
    warm_report = build([folder], store, link=True)
    warm = time.perf_counter() - t0

    print("\n| 文件 | 任务+项目 精确率 | 召回率 | 指标行完全一致 | 任务+项目（纯文本） | 指标（纯文本） |")
    print("|---|---|---|---|---|---|")
    plain_dir = work / "plain"
    plain_dir.mkdir(exist_ok=True)
    for name, (path, text) in docs.items():
        plain_file = plain_dir / (Path(name).stem + ".txt")
        plain_file.write_text(text, "utf-8")
        plain, _ = extract_all([plain_file])
        other, _ = extract_all([path], cache_dir=store.directory / "ocr-cache")
        f = fx.figures(plain[0].graph, other[0].graph)
        print(f"| {name} | {f['items_precision']:.3f} | {f['items_recall']:.3f} | {f['indicators_exact']:.3f} | "
              f"{f['items']}（{f['items_plain']}） | {f['indicators']}（{f['indicators_plain']}） |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nOCR 速度（新样本，无缓存）：{sample_doc.ocr_pages} 页 {sample_s:.1f} s，{sample_s / max(sample_doc.ocr_pages, 1):.1f} s/页；"
          f"本次构建中 OCR {ocr_pages} 页用时 {ocr_s:.1f} s（0 表示缓存命中）；"
          f"第一次构建 {cold:.1f} s，重建 {warm:.1f} s（重建 OCR {warm_report.timings.get('ocr', 0.0):.1f} s，缓存命中）；峰值内存 {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
