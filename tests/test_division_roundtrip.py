"""The 任务分工方案 round trip on the seed build: draft (CLI) → fill in (openpyxl, as a bureau would in Excel)
→ read back (CLI) → 牵头/配合 edges; a changed table replaces the old edges and restores what it overwrote."""
from __future__ import annotations

import shutil

import openpyxl
import pytest

from graph_builder.cli import main
from graph_builder.division import ORIGIN, draft_rows, load_units, role_origin, suggest_units
from graph_builder.store import EmbeddedStore


@pytest.fixture
def store(seed_store, tmp_path):
    d = tmp_path / "store"
    shutil.copytree(seed_store.directory, d)
    return EmbeddedStore(d)


def suzhou(store):
    return next(p for p in store.nodes("Plan") if p.get("region") == "宿州市" and p.get("loaded", True))


def roles(store, plan_id):
    g = store.load()
    out = {}
    for e in g.edges_of("责任"):
        t = g.nodes.get(e.target)
        if t is not None and t.get("plan") == plan_id:
            out.setdefault(t.title, set()).add((g.nodes[e.source].title, e.get("role"), role_origin(e)))
    return out


def fill(path, lead_for_food: str, support: str) -> list[str]:
    """Fill the draft as a bureau would: food-safety rows get a lead and a supporting unit."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(header)}
    food = []
    for row in ws.iter_rows(min_row=3):
        if "食品" in str(row[col["任务"]].value):
            row[col["牵头单位"]].value = lead_for_food
            row[col["配合单位"]].value = support
            row[col["完成时限"]].value = "2025年底前"
            food.append(row[col["任务"]].value)
        else:
            row[col["牵头单位"]].value = None
            row[col["配合单位"]].value = None
    wb.save(path)
    return food


def test_draft_has_one_row_per_task_with_suggestions_and_deadlines(store, tmp_path, capsys):
    plan = suzhou(store)
    out = tmp_path / "draft.xlsx"
    assert main(["分工", "draft", "宿州市", "--out", str(out), "--store", str(store.directory)]) == 0
    ws = openpyxl.load_workbook(out).active
    assert "宿州市" in ws["A1"].value and "分工方案" in ws["A1"].value, "title row names the plan (a build can match it)"
    header = [c.value for c in ws[2]]
    assert header[:6] == ["序号", "任务编号", "任务", "牵头单位", "配合单位", "完成时限"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    items = [n for n in store.nodes(plan=plan.id) if n.label in ("Task", "Project")]
    assert len(rows) == len(items) and {r[1] for r in rows} == {n.id for n in items}
    by_title = {r[2]: r for r in rows}
    assert by_title["加强食品安全监管"][3] == "食品安全相关处室", "keyword 食品 → the food-safety unit"
    with_deadline = [n for n in items if n.get("deadline")]
    assert with_deadline and all(by_title[n.title][5] == n.get("deadline") for n in with_deadline)


def test_unit_mapping_is_data_and_title_keywords_lead(tmp_path):
    units = load_units()
    names, word = suggest_units("加强知识产权保护", "会同食品安全部门", units)
    assert names[0] == "知识产权局" and word == "知识产权" and "食品安全相关处室" in names
    own = tmp_path / "units.toml"
    own.write_text('[[unit]]\nname = "市食品安全办"\nkeywords = ["食品"]\n', encoding="utf-8")
    assert suggest_units("加强食品安全监管", "", load_units(own))[0] == ["市食品安全办"]


def test_filled_table_read_back_creates_lead_and_support_and_a_new_table_replaces_them(store, tmp_path):
    plan = suzhou(store)
    draft = tmp_path / "分工方案.xlsx"
    main(["分工", "draft", plan.id, "--out", str(draft), "--store", str(store.directory)])
    food = fill(draft, "市食品安全协调科", "市教育局、市商务局")
    assert len(food) >= 3
    assert main(["分工", "load", str(draft), "--store", str(store.directory)]) == 0, "plan found from the title row"
    r = roles(store, plan.id)
    for t in food:
        assert ("宿州市食品安全协调科", "牵头", "分工方案") in r[t], t
        assert ("宿州市教育局", "配合", "分工方案") in r[t], r[t]
    others = [t for t in r if t not in food]
    assert all(not any(o == "分工方案" for *_, o in r[t]) for t in others), "unfilled rows add nothing"
    g = store.load()
    e = next(e for e in g.edges_of("责任") if e.get("origin") == ORIGIN)
    assert e.get("deadline") == "2025年底前"

    # a changed table: another lead, no supporting unit — the old 分工方案 edges go away
    fill(draft, "市市场监管局", "")
    assert main(["分工", "load", str(draft), "--plan", "宿州市", "--store", str(store.directory)]) == 0
    r2 = roles(store, plan.id)
    for t in food:
        assert not any(a == "宿州市食品安全协调科" for a, *_ in r2[t]), "old lead replaced"
        assert not any(role == "配合" for _, role, _ in r2[t]), "old supporting units removed"
        assert ("宿州市市场监督管理局", "牵头", "分工方案") in r2[t]
    # an empty table: the default owner the table had overwritten comes back as 主责
    fill(draft, "", "")
    main(["分工", "load", str(draft), "--plan", "宿州市", "--store", str(store.directory)])
    r3 = roles(store, plan.id)
    for t in food:
        assert r3[t] == {("宿州市市场监督管理局", "主责", "默认")}, r3[t]


def test_unreadable_table_is_one_chinese_line(store, tmp_path, capsys):
    bad = tmp_path / "分工.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["分工", "load", str(bad), "--plan", "宿州市", "--store", str(store.directory)]) == 4
    err = capsys.readouterr().err
    assert "表头" in err and "分工.csv" in err


def test_draft_rows_work_through_the_store_protocol(store):
    rows = draft_rows(store, suzhou(store).id)
    assert rows[0].seq == 1 and all(r.id and r.task for r in rows)
