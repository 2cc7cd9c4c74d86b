"""Many files are extracted in worker processes; the result equals the in-process extraction, file by file."""
from __future__ import annotations

import os
import shutil

import orjson
import pytest

import graph_builder.extract_files as ef
from graph_builder.limits import Limits
from graph_builder.models import Graph

from .conftest import SEEDS


def _graph_bytes(extractions) -> bytes:
    g = Graph()
    for ex in extractions:
        g.merge(ex.graph)
    return orjson.dumps(g.to_json())


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """The five seeds, a plan printed twice (a duplicate) and one unreadable file; workers from two files on."""
    for f in SEEDS.glob("*.txt"):
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(SEEDS / "suzhou-city.txt", tmp_path / "zz-suzhou-copy.txt")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(ef, "limits", lambda: Limits(parallel_min_files=2))
    return tmp_path


def test_worker_extraction_equals_in_process_graph_errors_and_warnings(corpus):
    seq, rep1 = ef.extract_all([corpus], workers=1)
    par, rep2 = ef.extract_all([corpus], workers=2)
    assert rep2.timings.get("workers") == 2 and "workers" not in rep1.timings
    assert _graph_bytes(par) == _graph_bytes(seq)
    assert [(f.path, f.plan_id, f.error, f.duplicate_of, f.counts) for f in rep2.files] == \
           [(f.path, f.plan_id, f.error, f.duplicate_of, f.counts) for f in rep1.files]
    assert rep2.warnings == rep1.warnings
    broken = next(f for f in rep2.files if f.path.endswith("broken.docx"))
    assert broken.error and "broken.docx" in broken.error
    assert sum(1 for f in rep2.files if f.duplicate_of) == 1


def test_a_worker_that_dies_sends_its_files_back_to_the_main_process(corpus, monkeypatch):
    seq, _ = ef.extract_all([corpus], workers=1)
    parent = os.getpid()
    real = ef._extract_file
    here: list[str] = []

    def dies_on_jingmen(f, *a, **k):
        if os.getpid() != parent and f.name == "jingmen-city.txt":
            os._exit(9)  # as if killed for memory
        if os.getpid() == parent:
            here.append(f.name)
        return real(f, *a, **k)

    monkeypatch.setattr(ef, "_extract_file", dies_on_jingmen)
    par, rep = ef.extract_all([corpus], workers=2)
    assert not [f for f in rep.files if f.error and "broken.docx" not in f.path]
    assert _graph_bytes(par) == _graph_bytes(seq)
    assert "jingmen-city.txt" in here  # extracted again in the main process after its worker died
