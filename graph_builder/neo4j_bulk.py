"""Neo4j at national scale: first load by offline bulk import, later loads of only the changed plans.

* :func:`bulk_import` writes the graph as CSV (one file per label and per relationship type, the same
  labels/properties the MERGE loader writes: ``:Plangraph:<Label>``, ``id``, ``_gen``, ``_nulls``, ``_empty``) and runs
  ``neo4j-admin database import full`` — the importer of the same Neo4j 5.26 jars the local server is
  built from (``org.neo4j.cli.AdminTool`` in neo4j-command-line + neo4j-import-tool, from Maven Central).
  The import is offline, so it only runs against the local server, which it stops and restarts.
* :class:`LoadRecord` remembers, next to the embedded store, a digest per plan of what was last loaded
  and the load generation; the next ``load-neo4j`` sends only plans whose digest changed (MERGE path).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, StoreError
from .models import Edge, Graph, Node

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "neo4j-server"
SCRIPT = ROOT / "scripts" / "neo4j.sh"
ARRAY_DELIMITER = "\x1f"  # never in plan text; passed to the importer as U+001F
RECORD_FILE = "neo4j-load.json"


def owner(n: Node) -> str | None:
    return n.id if n.label == "Plan" else n.props.get("plan")


# ---------------------------------------------------------------- CSV
def _kind(values) -> str:
    """The importer's column type for these values (None and inexpressible values are left to :func:`_fits`)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "string"
    if kinds == {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    if kinds == {list}:
        return "string[]"
    return "string"


def _fits(v, kind: str) -> bool:
    """Whether the importer reads *v* back exactly from a *kind* cell. A quoted empty cell is an empty
    string, but an empty list element cannot be told apart; an int in a double column would come back a
    float; a list element holding the array delimiter would be split."""
    t = type(v)
    if kind == "string":
        return t is str
    if kind == "long":
        return t is int
    if kind == "double":
        return t is float and math.isfinite(v)
    if kind == "boolean":
        return t is bool
    return t is list and bool(v) and all(type(x) is str and x and ARRAY_DELIMITER not in x for x in v)


def _quoted(s: str) -> str:
    """A quoted CSV field: the importer reads an unquoted empty field as "no property", a quoted one as ""."""
    return '"' + s.replace('"', '""') + '"'


def _cell(v, kind: str) -> str:
    """One CSV field for a value that :func:`_fits` its column."""
    if kind == "string":
        return _quoted(v)
    if kind == "string[]":
        return _quoted(ARRAY_DELIMITER.join(v))
    if kind == "boolean":
        return "true" if v else "false"
    return repr(v)


def _prop_columns(items: list[dict]) -> list[tuple[str, str]]:
    keys: dict[str, list] = defaultdict(list)
    for props in items:
        for k, v in props.items():
            keys[k].append(v)
    return [(k, _kind(vs)) for k, vs in sorted(keys.items())]


def _cells(props: dict, cols: list[tuple[str, str]], rest: dict) -> list[str]:
    """The row's property cells; values the importer cannot express go to *rest* (set later by Cypher)."""
    out = []
    for k, kind in cols:
        v = props.get(k)
        if v is None:
            out.append("")
        elif _fits(v, kind):
            out.append(_cell(v, kind))
        else:
            out.append("")
            rest[k] = v
    return out


def _write(path: Path, header: list[str], rows) -> int:
    """Rows of ready-made fields (:func:`_cell`; ids and types quoted here) under *header*."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for r in rows:
            fh.write(",".join(r))
            fh.write("\n")
            n += 1
    return n


@dataclass
class CsvSet:
    nodes: list[Path] = field(default_factory=list)
    rels: list[Path] = field(default_factory=list)
    n_nodes: int = 0
    n_rels: int = 0
    #: values no CSV cell can express (see :func:`_fits`: a list holding an empty string, ints among floats),
    #: set afterwards by Cypher. Empty lists are not among them: both load paths store their keys in ``_empty``.
    fixup_nodes: list[dict] = field(default_factory=list)
    fixup_rels: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


def write_csv(graph: Graph, out: Path, gen: str) -> CsvSet:
    """Node and relationship CSV files for the importer, one per label and per relationship type.

    Properties are those the MERGE loader writes (:func:`graph_builder.store.neo4j_store._props`), built
    one label/type at a time so the national graph's properties are never all copied at once."""
    from .store.neo4j_store import LABELS, REL_TYPES, _props

    out.mkdir(parents=True, exist_ok=True)
    by_label: dict[str, list[Node]] = defaultdict(list)
    for n in graph.nodes.values():
        if n.label not in LABELS:
            raise StoreError(f"节点 {n.id} 的标签 {n.label!r} 不在模型中（允许：{', '.join(LABELS)}）")
        by_label[n.label].append(n)
    res = CsvSet()
    for label, nodes in sorted(by_label.items()):
        items = [_props(n.props, gen, n.id) for n in nodes]
        cols = [c for c in _prop_columns(items) if c[0] != "id"]
        header = ["id:ID", ":LABEL"] + [f"{k}:{t}" for k, t in cols]
        path = out / f"nodes-{LABELS.index(label)}.csv"
        labels = f"Plangraph{ARRAY_DELIMITER}{label}"

        def node_rows(items=items, cols=cols, labels=labels):
            for p in items:
                rest: dict = {}
                yield [_quoted(p["id"]), labels] + _cells(p, cols, rest)
                if rest:
                    res.fixup_nodes.append({"id": p["id"], "props": rest})

        res.n_nodes += _write(path, header, node_rows())
        res.nodes.append(path)
    by_type: dict[str, list[Edge]] = defaultdict(list)
    for e in graph.edges:
        if e.type not in REL_TYPES:
            raise StoreError(f"关系 {e.source}->{e.target} 的类型 {e.type!r} 不在模型中")
        if e.source in graph.nodes and e.target in graph.nodes:
            by_type[e.type].append(e)
    for type_, edges in sorted(by_type.items()):
        items = [_props(e.props, gen) for e in edges]
        cols = _prop_columns(items)
        header = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{t}" for k, t in cols]
        path = out / f"rels-{REL_TYPES.index(type_)}.csv"

        def rel_rows(edges=edges, items=items, cols=cols, type_=type_):
            for e, p in zip(edges, items):
                rest: dict = {}
                yield [_quoted(e.source), _quoted(e.target), type_] + _cells(p, cols, rest)
                if rest:
                    res.fixup_rels[type_].append({"source": e.source, "target": e.target, "props": rest})

        res.n_rels += _write(path, header, rel_rows())
        res.rels.append(path)
    return res


# ---------------------------------------------------------------- import
def admin_classpath() -> str:
    lib = SERVER / "target" / "lib"
    if not any(lib.glob("neo4j-import-tool-*.jar")):
        raise ConfigError(f"没有找到 neo4j-admin 导入工具（{lib}）；先运行 plangraph neo4j install")
    return f"{lib}/*"


def run_import(home: Path, database: str, node_files: list[Path], rel_files: list[Path]) -> str:
    """``neo4j-admin database import full`` into the (stopped) DBMS at *home*; returns the importer's summary."""
    conf = Path(tempfile.mkdtemp(prefix="plangraph-neo4j-conf-"))
    try:
        (conf / "neo4j.conf").write_text(f"server.directories.data={home / 'data'}\n", "utf-8")
        cmd = ["java", "-Xmx1g", "-cp", admin_classpath(), "org.neo4j.cli.AdminTool", "database", "import", "full",
               "--overwrite-destination=true", "--array-delimiter=U+001F", "--multiline-fields=true",
               "--threads", str(os.cpu_count() or 1),
               *[f"--nodes={f}" for f in node_files], *[f"--relationships={f}" for f in rel_files],
               "--report-file", str(conf / "import.report"), database]
        env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)}
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise StoreError("neo4j-admin database import 失败：" + " / ".join(tail))
        return proc.stdout
    finally:
        shutil.rmtree(conf, ignore_errors=True)


def _server(action: str) -> str:
    proc = subprocess.run(["bash", str(SCRIPT), action], capture_output=True, text=True)
    if proc.returncode != 0 and action != "status":
        raise StoreError(f"本地 Neo4j {action} 失败：{(proc.stderr or '').strip().splitlines()[-1:]}")
    return proc.stdout


def _started(settings: tuple):
    """Start the local server and return a store connected to it (the first connection is part of the start)."""
    from .store import open_neo4j

    _server("start")
    store = open_neo4j(uri=settings[0], user=settings[1], database=settings[2])
    try:
        store.ping()
    except StoreError:
        store.close()
        raise
    return store


@dataclass
class BulkStats:
    nodes: int = 0
    rels: int = 0
    #: nodes and relationships that needed a Cypher write after the import (see :class:`CsvSet`)
    fixups: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        total = sum(self.seconds.values())
        return (self.nodes + self.rels) / total if total else 0.0


def bulk_import(graph: Graph, store, home: Path, directory: Path, say=print) -> BulkStats:
    """First load of a big graph into the local server: refuse unless the database is empty, then
    stop the server, import offline, restart it, create the schema and mark the load complete.

    ``BulkStats.seconds`` times each step, together the whole call: csv, stop, import, start (until
    the server answers), schema (constraints and indexes, online), fixup (values no CSV cell can
    express; normally none) and record (load bookkeeping and the digests for later incremental loads).
    """
    from .store.neo4j_store import _chunks, cypher, labelled

    t0 = time.perf_counter()
    if store._read(cypher("any_node"))[0]["any"]:
        raise StoreError(f"{store.describe()} 中已有数据；批量导入只用于空数据库（增量更新请用 plangraph load-neo4j）")
    database = store.settings.database or "neo4j"
    settings = (store.settings.uri, store.settings.user, store.settings.database)
    stats = BulkStats()
    gen = uuid.uuid4().hex
    mark = [t0]

    def lap(step: str) -> None:
        now = time.perf_counter()
        stats.seconds[step] = now - mark[0]
        mark[0] = now

    work = Path(tempfile.mkdtemp(prefix="plangraph-bulk-"))
    try:
        csvs = write_csv(graph, work, gen)
        stats.nodes, stats.rels = csvs.n_nodes, csvs.n_rels
        lap("csv")
        say(f"CSV：{stats.nodes} 个节点、{stats.rels} 条关系（{stats.seconds['csv']:.1f} 秒）；停止本地 Neo4j 以离线导入…")
        store.close()
        _server("stop")
        lap("stop")
        try:
            run_import(home, database, csvs.nodes, csvs.rels)
        except StoreError:
            _server("start")  # the database was empty before; leave the server running as we found it
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lap("import")
    say(f"neo4j-admin database import：{stats.seconds['import']:.1f} 秒；重新启动 Neo4j…")
    # The digests (pure Python) are computed while the server starts and builds its indexes (Java);
    # "record" is only what is left of them after that.
    with ThreadPoolExecutor(1, thread_name_prefix="plangraph-digests") as pool:
        sums = pool.submit(loaded_digests, graph, directory)
        fresh = _started(settings)
        lap("start")
        try:
            fresh.ensure_schema()
            lap("schema")
            jobs = [(cypher("set_node_props"), c) for c in _chunks(csvs.fixup_nodes, 5000)]
            jobs += [(labelled("set_rel_props", rel_type=t), c) for t, rows in csvs.fixup_rels.items()
                     for c in _chunks(rows, 5000)]
            stats.fixups = sum(fresh._write_batches(jobs))
            lap("fixup")
            fresh._write(cypher("load_begin"), gen=gen, scope="all")
            fresh._write(cypher("load_end"), gen=gen, nodes=stats.nodes, rels=stats.rels)
            record_bulk(fresh, graph, directory, sums.result())
        finally:
            fresh.close()
    lap("record")
    return stats


# ---------------------------------------------------------------- incremental loads
def digests(graph: Graph) -> dict[str, str]:
    """A digest per plan (its nodes and the edges it owns) and per shared node (Agency, Region, placeholders)."""
    return {k: _sha(v) for k, v in _parts(graph).items()}


def _parts(graph: Graph) -> dict[str, list[bytes]]:
    import orjson

    parts: dict[str, list[bytes]] = defaultdict(list)
    for n in graph.nodes.values():
        parts[owner(n) or n.id].append(_canonical(orjson, n.to_json()))
    for e in graph.edges:
        s, t = graph.nodes.get(e.source), graph.nodes.get(e.target)
        key = (owner(s) if s is not None else None) or (owner(t) if t is not None else None) or e.source
        parts[key].append(_canonical(orjson, e.to_json()))
    return parts


def _sha(chunks: list[bytes]) -> str:
    return hashlib.sha256(b"\n".join(sorted(chunks))).hexdigest()


def store_digests(directory: Path):
    """The same keys as :func:`digests`, from the plan-grouped layout of an embedded store without reading
    its plans: a plan's digest folds its segment's byte digest into that of its Plan node and the shared
    edges it owns. Returns (digests, layout, shared sub-graph), or None when the store has no valid index."""
    from .store import segments

    layout = segments.load_index(directory)
    if layout is None:
        return None
    shared = segments.read(Path(directory) / "graph.json", layout, [segments.SHARED])
    out = {k: _sha(v) for k, v in _parts(shared).items()}
    for s in layout.plans():
        out[s] = hashlib.sha256((out.get(s, "") + layout.segments[s].digest).encode()).hexdigest()
    return out, layout, shared


def _canonical(orjson, data: dict) -> bytes:
    """Key-sorted JSON (orjson: the national graph's digests in seconds, not a minute); json for what orjson refuses.

    orjson's bytes keep their ≈4 KB output buffer; an exact-size copy keeps the held parts at their real
    size (the national graph's digests held ≈10 GB otherwise, and the machine stalled)."""
    try:
        return memoryview(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).tobytes()
    except TypeError:
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


@dataclass
class LoadRecord:
    """What the last load into one Neo4j database contained (kept next to the embedded store)."""

    target: str
    gen: str
    digests: dict[str, str]

    @staticmethod
    def path(directory: Path) -> Path:
        return Path(directory) / RECORD_FILE

    @classmethod
    def load(cls, directory: Path, target: str) -> "LoadRecord | None":
        try:
            data = json.loads(cls.path(directory).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        rec = data.get(target)
        return cls(target, rec["gen"], rec["digests"]) if rec else None

    def save(self, directory: Path) -> None:
        from .store.embedded import atomic_write_text

        try:
            data = json.loads(self.path(directory).read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        data[self.target] = {"gen": self.gen, "digests": self.digests}
        atomic_write_text(self.path(directory), json.dumps(data, ensure_ascii=False))


def changed_subgraph(graph: Graph, old: dict[str, str], new: dict[str, str]) -> tuple[Graph, list[str]]:
    """The part of *graph* to send: plans (and shared nodes) whose digest changed or that were removed.

    Returns the sub-graph and the plan ids whose stored content is replaced.
    """
    changed = {k for k, d in new.items() if old.get(k) != d} | (set(old) - set(new))
    plans = sorted(k for k in changed if k in graph.nodes and graph.nodes[k].label == "Plan"
                   or (k not in graph.nodes and k.startswith("plan")))
    sub = Graph()
    for n in graph.nodes.values():
        if (owner(n) or n.id) in changed:
            sub.add_node(n)
    for e in graph.edges:
        if e.source in sub.nodes or e.target in sub.nodes:
            sub.add_edge(e)  # the other end, if unchanged, is already stored: the MERGE path matches it
    return sub, plans


def target_key(store) -> str:
    return f"{store.settings.uri}|{store.settings.database or ''}"


def load_changed(store, src, progress):
    """Load the embedded store *src* into *store*: only the plans changed since the last load recorded for this
    database, or everything (MERGE path) when there is no valid record. With a plan-grouped store only the
    changed plans' segments (and those with edges into them) are read. Returns (LoadStats, plans sent or None,
    nodes read)."""
    from .store import segments
    from .store.neo4j_store import cypher

    directory = src.directory
    seg = store_digests(directory)
    rec = LoadRecord.load(directory, target_key(store))
    status = store.load_status()
    valid = rec is not None and status.get("status") == "complete" and status.get("gen") == rec.gen
    if valid and seg is not None:
        new, layout, shared = seg
        changed = {k for k, d in new.items() if rec.digests.get(k) != d} | (set(rec.digests) - set(new))
        into = layout.inbound()
        want = {k for k in changed if k in layout.segments and k != segments.SHARED}
        want |= {r for k in changed for r in into.get(k, ())}
        graph = shared.copy()
        graph.merge(segments.read(src.file, layout, want))
        sub, plans = changed_subgraph(graph, rec.digests, new)
        stats = store.replace_plans(sub, plans, progress=progress)
        sent, read = len(plans), len(graph.nodes)
    else:
        graph = src.load()
        new = seg[0] if seg is not None else digests(graph)
        if valid:
            sub, plans = changed_subgraph(graph, rec.digests, new)
            stats, sent = store.replace_plans(sub, plans, progress=progress), len(plans)
        else:
            stats, sent = store.replace_all(graph, progress=progress), None
        read = len(graph.nodes)
    gen = store._read(cypher("load_status"))[0].get("gen")
    LoadRecord(target_key(store), gen, new).save(directory)
    return stats, sent, read


def record_bulk(store, graph: Graph, directory: Path, sums: dict[str, str] | None = None) -> None:
    """After a bulk import: remember what was loaded so the next load sends only changes.

    *sums*: :func:`loaded_digests` if already computed (the bulk import computes them while Neo4j builds indexes)."""
    from .store.neo4j_store import cypher

    gen = store._read(cypher("load_status"))[0].get("gen")
    LoadRecord(target_key(store), gen, loaded_digests(graph, directory) if sums is None else sums).save(directory)


def loaded_digests(graph: Graph, directory: Path) -> dict[str, str]:
    """The digests a load record keeps for *graph* read from the store in *directory*."""
    seg = store_digests(directory)
    return seg[0] if seg is not None else digests(graph)
