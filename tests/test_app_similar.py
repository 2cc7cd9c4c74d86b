"""检索页 “其他规划中的相似任务”: the same overlap index as ``plangraph similar``, on the seed build."""
from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from graph_builder.cli.similar_cmds import similar_rows
from graph_builder.store import EmbeddedStore

from .test_app_pages import APP


@pytest.fixture
def seed_copy(seed_store, tmp_path, monkeypatch):
    d = tmp_path / "seed"
    shutil.copytree(seed_store.directory, d)
    monkeypatch.setenv("PLANGRAPH_STORE", str(d))
    monkeypatch.setenv("PLANGRAPH_DECISIONS", str(tmp_path / "review.csv"))
    for k in ("NEO4J_URI", "NEO4J_DATABASE"):
        monkeypatch.delenv(k, raising=False)
    return d


def test_search_page_lists_the_tasks_of_other_plans_that_plangraph_similar_finds(seed_copy):
    graph = EmbeddedStore(seed_copy).load()
    task = next(n for n in graph.by_label("Task") if "知识产权" in n.title and "宿州" in str(graph.nodes[n.get("plan")].get("region")))
    want = similar_rows(graph, task.id, 10)
    assert want and all(r["plan"] != task.get("plan") for r in want)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("graph_builder/ui/pages/search.py")
    at.run()
    at.text_input(key="q_text").input(task.title).run()
    at.selectbox(key="q_pick").select(task.id).run()
    at.toggle(key="q_similar").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = at.dataframe[-1].value
    assert shown["ID"].tolist() == [r["id"] for r in want]
    assert shown["相似度"].tolist() == [r["score"] for r in want]
    assert any("任意层级、其他规划中最相似的" in c.value for c in at.caption)
