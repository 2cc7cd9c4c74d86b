"""Make a synthetic national corpus of plan *files* (1 national + 31 provinces + cities + counties) from the seeds.

Real division names come from jionlp's division data; each document is a seed plan of the matching level
with its region replaced, its clauses perturbed deterministically, and front matter that names the issuer
and cites the parent plan — so ``plangraph build`` reads them like real plans. Output goes to a temporary
directory (never ``data/plans``), one sub-directory per fraction of the tree:

    python benchmarks/make_national_corpus.py --out /tmp/plangraph-national      # 1-16/, 1-4/, 1/
    python benchmarks/make_national_corpus.py --fraction 16 --out /tmp/pn        # 1/16 only

A fraction keeps the national plan and every province, and 1/N of the cities with all their counties,
so every chain (county → city → province → nation) stays complete. Files of smaller fractions are hard
links to the whole tree's files (same content, same hash).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXCLUDED_PROVINCES = ("香港特别行政区", "澳门特别行政区", "台湾省")
NOT_A_COUNTY = re.compile(r"(开发区|园区|新区管委会|示范区|管理区|产业园|合作区|试验区)$")
# seed file → (level it stands for, its region, its parent region)
SEEDS = {
    "anhui-province.txt": ("province", "安徽省", "中国"),
    "guangdong-province.txt": ("province", "广东省", "中国"),
    "zhejiang-province.txt": ("province", "浙江省", "中国"),
    "jingmen-city.txt": ("city", "荆门市", "湖北省"),
    "suzhou-city.txt": ("city", "宿州市", "安徽省"),
}
BODY_START = re.compile(r"^\s*(一、|第一章|第一部分)")
HEADING = re.compile(r"^\s*(第[一二三四五六七八九十百]+[章节部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|专栏)")
_CLAUSE = re.compile(r"(?<=[，。；,;])")
SHORT_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治州|地区|盟|县|区|旗)$")


@dataclass(frozen=True, slots=True)
class Division:
    name: str
    level: str  # national | province | city | county
    parent: "Division | None"
    code: str

    @property
    def chain(self) -> list["Division"]:
        out, cur = [], self
        while cur is not None:
            out.append(cur)
            cur = cur.parent
        return out


def divisions() -> list[Division]:
    """The tree from jionlp: nation, 31 provinces, prefecture-level cities, counties (municipalities: districts)."""
    from graph_builder.regions import _jio

    data = _jio().china_location_loader()
    nation = Division("中国", "national", None, "000000")
    out = [nation]
    for prov in sorted(k for k in data if not k.startswith("_") and k not in EXCLUDED_PROVINCES):
        pv = data[prov]
        p = Division(prov, "province", nation, str(pv.get("_admin_code", "")))
        out.append(p)
        for city in sorted(k for k in pv if not k.startswith("_")):
            cv = pv[city]
            # a municipality (北京市) and Hainan's 省直辖县级行政区划 hold counties directly under the province
            direct = city == prov or "直辖" in city
            c = p if direct else Division(city, "city", p, str(cv.get("_admin_code", "")))
            if c is not p:
                out.append(c)
            for county in sorted(k for k in cv if not k.startswith("_")):
                if NOT_A_COUNTY.search(county):
                    continue
                out.append(Division(county, "county", c, str(cv[county].get("_admin_code", ""))))
    return out


def select(tree: list[Division], fraction: int) -> list[Division]:
    """National + all provinces + every *fraction*-th city (per province, at least one) with its counties."""
    if fraction <= 1:
        return list(tree)
    keep_cities: set[Division] = set()
    by_prov: dict[Division, list[Division]] = {}
    for d in tree:
        if d.level == "city":
            by_prov.setdefault(d.parent, []).append(d)
    i = 0
    for prov, cities in by_prov.items():
        for c in cities:
            if i % fraction == 0:
                keep_cities.add(c)
            i += 1
    out = []
    for d in tree:
        if d.level in ("national", "province"):
            out.append(d)
        elif d.level == "city" and d in keep_cities:
            out.append(d)
        elif d.level == "county" and (d.parent in keep_cities or (d.parent.level == "province" and
                                                                   zlib.crc32(d.name.encode()) % fraction == 0)):
            out.append(d)
    return out


def short(name: str) -> str:
    s = SHORT_SUFFIX.sub("", name)
    return s if len(s) >= 2 else name


def plan_title(d: Division) -> str:
    if d.level == "national":
        return "“十四五”市场监管现代化规划"
    return f"{d.name}“十四五”市场监管规划"


def issuer(d: Division) -> str:
    if d.level == "national":
        return "国务院"
    if d.level == "province":
        return f"{d.name}人民政府办公厅"
    return f"{d.name}市场监督管理局"


def front_matter(d: Division, rng: random.Random) -> list[str]:
    title = plan_title(d)
    if d.level == "national":
        return [f"国务院关于印发《{title}》的通知", f"国发〔2021〕{rng.randint(20, 40)}号",
                "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
                f"现将《{title}》印发给你们，请认真贯彻执行。", "国务院", "2021年12月14日", title,
                "为加快推进市场监管现代化，根据《中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要》，编制本规划。"]
    parent = d.parent
    ptitle = plan_title(parent)
    whole = {"province": "全省", "city": "全市", "county": "全县" if d.name.endswith("县") else "全区"}[d.level]
    abbr = short(d.name)[:1]
    return [f"关于印发《{title}》的通知", f"{abbr}市监发〔2022〕{rng.randint(1, 90)}号",
            "各有关单位：", f"《{title}》已经研究同意，现印发给你们，请结合实际认真贯彻落实。",
            issuer(d), f"2022年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", title,
            f"为推进{whole}市场监管现代化，根据《{ptitle}》和{parent.name if parent.level != 'national' else '国家'}有关部署，"
            f"结合{d.name}实际，编制本规划。"]


def seed_texts(plans_dir: Path) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """Seed bodies by level: (region, parent region, file name, body lines after the front matter)."""
    from opencc import OpenCC

    t2s = OpenCC("t2s")
    out: dict[str, list] = {"province": [], "city": []}
    for name, (level, region, parent) in SEEDS.items():
        f = plans_dir / name
        if not f.exists():
            continue
        lines = t2s.convert(f.read_text("utf-8")).splitlines()
        start = next((i for i, ln in enumerate(lines) if BODY_START.match(ln)), 0)
        out[level].append((region, parent, name, lines[start:]))
    if not out["province"] or not out["city"]:
        raise SystemExit(f"{plans_dir}: 需要省级和市级种子规划")
    return out


def perturb_line(line: str, rng: random.Random) -> str:
    """Drop ~10% of the clauses of a prose line and swap a neighbouring pair now and then; headings/tables stay."""
    if len(line) < 40 or HEADING.match(line) or "|" in line:
        return line
    parts = [p for p in _CLAUSE.split(line) if p]
    kept = [p for p in parts if rng.random() > 0.1] or parts[:1]
    for i in range(len(kept) - 1):
        if rng.random() < 0.1:
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return "".join(kept)


def substitute(line: str, seed_region: str, seed_parent: str, d: Division) -> str:
    """The seed's own region and its parent become *d*'s; the seed level's 全省/全市 wording follows *d*'s level."""
    whole = {"national": "全国", "province": "全省", "city": "全市", "county": "全县" if d.name.endswith("县") else "全区"}
    parent = d.parent.name if d.parent else "中国"
    line = line.replace(seed_region, d.name)
    if seed_parent != "中国":
        line = line.replace(seed_parent, parent if parent != "中国" else "国家")
        line = line.replace(short(seed_parent), short(parent) if parent != "中国" else "国家")
    line = line.replace(short(seed_region), short(d.name) if d.level != "national" else "全国")
    seed_whole = "全省" if seed_region.endswith("省") else "全市"
    if seed_whole != whole[d.level]:
        line = line.replace(seed_whole, whole[d.level]).replace("我" + seed_whole[1], "我" + whole[d.level][1])
    return line


def document(d: Division, seeds: dict[str, list]) -> str:
    rng = random.Random(zlib.crc32(f"{d.code}{d.name}".encode()))
    pool = seeds["province"] if d.level in ("national", "province") else seeds["city"]
    region, parent, _, body = pool[zlib.crc32(d.name.encode()) % len(pool)]
    lines = front_matter(d, rng)
    lines += [perturb_line(substitute(ln, region, parent, d), rng) for ln in body]
    return "\n".join(lines) + "\n"


def file_name(d: Division) -> str:
    chain = [x for x in reversed(d.chain) if x.level != "national"]
    if not chain:
        return "000000-national.txt"
    return f"{chain[0].name}/{d.code}-{'-'.join(x.name for x in chain[1:]) or chain[0].name}.txt"


def write_tree(tree: list[Division], seeds: dict[str, list], out: Path) -> int:
    """Write every division's document under *out* (skipping identical files); return total bytes."""
    total = 0
    for d in tree:
        path = out / file_name(d)
        text = document(d, seeds)
        data = text.encode("utf-8")
        total += len(data)
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return total


def link_subset(tree: list[Division], full: Path, out: Path) -> None:
    """Hard-link the files of *tree* from the whole tree at *full* into *out* (fresh)."""
    import shutil

    if out.exists():
        shutil.rmtree(out)
    for d in tree:
        src, dst = full / file_name(d), out / file_name(d)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=Path, default=ROOT / "data" / "plans", help="seed plans")
    ap.add_argument("--fraction", type=int, action="append", help="1/N of the tree (repeatable); default 16, 4, 1")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "plangraph-national")
    a = ap.parse_args(argv)
    out = a.out.resolve()
    if (ROOT / "data").resolve() in (out, *out.parents):
        raise SystemExit(f"{out}: 不写入项目的 data/ 目录，请换一个目录")
    fractions = sorted(set(a.fraction or [16, 4, 1]), reverse=True)
    seeds = seed_texts(a.plans)
    tree = divisions()
    # the whole tree is written only when asked for; otherwise each fraction is written directly
    if 1 in fractions:
        write_tree(tree, seeds, out / "1")
    for f in fractions:
        sub = select(tree, f)
        target = out / ("1" if f == 1 else f"1-{f}")
        if f != 1:
            if 1 in fractions:
                link_subset(sub, out / "1", target)
            else:
                write_tree(sub, seeds, target)
        size = sum((target / file_name(d)).stat().st_size for d in sub)
        levels = {lv: sum(1 for d in sub if d.level == lv) for lv in ("national", "province", "city", "county")}
        print(f"1/{f}: {len(sub)} 份规划（国家 {levels['national']}，省 {levels['province']}，市 {levels['city']}，"
              f"县区 {levels['county']}），{size / 1e6:.0f} MB → {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
