"""A national plan with the real front matter of 国发〔2021〕30号, its tasks drawn from the Anhui seed.

Anhui's plan copies the national plan's wording, so the national tasks are the Anhui seed's task
paragraphs with the province's own words taken out (全省 → 全国, sentences naming 安徽 dropped).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"

FRONT = """国务院关于印发“十四五”市场监管现代化规划的通知
国发〔2021〕30号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
现将《“十四五”市场监管现代化规划》印发给你们，请认真贯彻执行。
国务院
2021年12月14日
（此件公开发布）
“十四五”市场监管现代化规划
为加快推进市场监管现代化，依据《中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要》，编制本规划。
一、发展环境
“十三五”时期，市场监管体制改革深入推进，统一的市场监管框架基本建立，市场监管现代化迈出坚实步伐。
二、主要任务
"""

BACK = """三、保障措施
(一)加强组织领导。各地区、各有关部门要加强组织领导，明确责任分工，确保规划各项任务落到实处。
"""

_LOCAL = re.compile(r"安徽|皖|长三角|中部地区|合肥|我省")
_SENT = re.compile(r"(?<=[。；])")


def national_text() -> str:
    """The national plan: real front matter, then the Anhui seed's task sections in national wording."""
    lines = (SEEDS / "anhui-province.txt").read_text("utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("三、主要任务")) + 1
    end = next(i for i, ln in enumerate(lines) if ln.startswith("四、保障措施"))
    body = []
    for ln in lines[start:end]:
        if ln.startswith("专栏") or "|" in ln:
            continue  # Anhui's boxes list provincial projects
        kept = [s for s in _SENT.split(ln) if s and not _LOCAL.search(s)]
        text = "".join(kept).replace("全省", "全国").replace("省级", "国家级").replace("强省", "强国")
        if text:
            body.append(text)
    return FRONT + "\n".join(body) + "\n" + BACK


def write_corpus(root: Path, *, with_province: bool = True, extra: dict[str, str] | None = None) -> Path:
    """national.txt + (anhui-province.txt) + suzhou-city.txt (+ *extra* files) and the seeds' manifest."""
    d = root / "plans"
    d.mkdir(parents=True, exist_ok=True)
    (d / "national.txt").write_text(national_text(), "utf-8")
    shutil.copy(SEEDS / "suzhou-city.txt", d / "suzhou-city.txt")
    if with_province:
        shutil.copy(SEEDS / "anhui-province.txt", d / "anhui-province.txt")
    for name, text in (extra or {}).items():
        (d / name).write_text(text, "utf-8")
    shutil.copy(ROOT / "data" / "manifest.toml", root / "manifest.toml")
    return d
