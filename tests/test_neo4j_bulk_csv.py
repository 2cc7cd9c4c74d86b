"""The bulk import's CSV files and the stored property encoding both Neo4j load paths share (no server needed).

The importer cannot write an empty list (an empty cell means "no property"), so both paths store the keys
of empty lists in ``_empty``, as they store the keys of nulls in ``_nulls``; values no cell can express
still reach the database through fix-up writes after the import, and on real graphs there are none.
"""
from __future__ import annotations

import csv
import math

from graph_builder.models import Edge, Graph, Node
from graph_builder.neo4j_bulk import ARRAY_DELIMITER, write_csv
from graph_builder.store.neo4j_store import _props, _unprops


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_empty_lists_are_stored_as_keys_in__empty_and_read_back_as_lists():
    props = {"cites": [], "path": ["一、总体要求"], "notes": [], "page": None, "title": "加强监管"}
    stored = _props(props, "gen1", "task:1")
    assert stored == {"path": ["一、总体要求"], "title": "加强监管", "id": "task:1", "_gen": "gen1",
                      "_nulls": ["page"], "_empty": ["cites", "notes"]}
    assert _unprops(stored) == props
    # a database loaded before this encoding stored the empty list itself: it still reads back
    assert _unprops({"cites": [], "id": "task:1", "_gen": "g"}) == {"cites": []}


def test_seed_graph_needs_no_fix_up_writes_after_the_import(seed_graph, tmp_path):
    empties = [n for n in seed_graph.nodes.values() if any(v == [] for v in n.props.values())]
    assert empties, "the seed graph should hold empty lists (cites/notes/path)"
    csvs = write_csv(seed_graph, tmp_path, "gen1")
    assert csvs.fixup_nodes == [] and not any(csvs.fixup_rels.values())
    assert csvs.n_nodes == len(seed_graph.nodes)
    n = empties[0]
    rows = {r["id:ID"]: r for path in csvs.nodes for r in _rows(path)}
    row = rows[n.id]
    assert row["_empty:string[]"].split(ARRAY_DELIMITER) == sorted(k for k, v in n.props.items() if v == [])
    assert row[":LABEL"] == f"Plangraph{ARRAY_DELIMITER}{n.label}"


def test_values_no_csv_cell_can_express_are_left_to_fix_up_writes(tmp_path):
    g = Graph()
    g.add_node(Node("agency:a", "Agency", {"name": "", "region": "安徽省", "aliases": ["", "局"], "kind": "body"}))
    g.add_node(Node("agency:b", "Agency", {"name": "第二局", "region": None, "aliases": [f"a{ARRAY_DELIMITER}b"],
                                           "kind": "body"}))
    g.add_node(Node("task:t", "Task", {"plan": "plan:p", "title": "换行\n\"引号\", 逗号", "path": [], "line": 3,
                                       "weight": float("nan")}))
    g.add_edge(Edge("责任", "agency:a", "task:t", {"role": "牵头", "evidence": ""}))
    g.add_edge(Edge("OVERLAPS", "agency:b", "task:t", {"score": 1, "kind": "peer", "evidence": []}))
    g.add_edge(Edge("OVERLAPS", "task:t", "agency:a", {"score": 0.5, "kind": "peer", "evidence": ["x"]}))
    csvs = write_csv(g, tmp_path, "gen1")

    fix = {r["id"]: r["props"] for r in csvs.fixup_nodes}
    assert fix["agency:a"] == {"aliases": ["", "局"]}  # an empty element cannot be told apart
    assert fix["agency:b"] == {"aliases": [f"a{ARRAY_DELIMITER}b"]}
    assert list(fix["task:t"]) == ["weight"] and math.isnan(fix["task:t"]["weight"])
    assert not csvs.fixup_rels["责任"]  # an empty string is a quoted empty field
    # an int among the floats of a double column would come back a float
    assert csvs.fixup_rels["OVERLAPS"] == [{"source": "agency:b", "target": "task:t", "props": {"score": 1}}]

    rows = {r["id:ID"]: r for path in csvs.nodes for r in _rows(path)}
    assert rows["agency:a"]["aliases:string[]"] == ""
    header, line = (ln.split(",") for ln in (tmp_path / "nodes-5.csv").read_text("utf-8").splitlines()[:2])
    assert line[0] == '"agency:a"'
    assert line[header.index("name:string")] == '""'  # quoted: an empty string, not "no property"
    assert line[header.index("aliases:string[]")] == ""  # unquoted: no property (a fix-up sets it)
    assert rows["task:t"]["title:string"] == "换行\n\"引号\", 逗号"
    assert rows["task:t"]["_empty:string[]"] == "path" and rows["task:t"]["line:long"] == "3"
    rels = [r for path in csvs.rels for r in _rows(path)]
    assert {r["score:double"] for r in rels if r[":TYPE"] == "OVERLAPS"} == {"", "0.5"}
