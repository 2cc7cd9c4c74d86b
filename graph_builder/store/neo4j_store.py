"""Neo4j store: the same :class:`GraphStore` contract as the embedded store, on a Neo4j 5 server.

Why it looks like this:

* All Cypher lives in ``cypher/NAME.cypher`` (:func:`cypher`); the only text substituted into a
  statement is a label or relationship type from a fixed whitelist, because those cannot be parameters.
* Writes are batched ``UNWIND $rows … MERGE`` transactions for throughput, so a load is not one
  transaction. Instead every node and relationship written by a load is stamped with a fresh generation
  (``_gen``); only after everything is written are the items of the replaced scope without that stamp
  deleted. A load killed half-way therefore leaves old+new items side by side, and simply rerunning it
  yields exactly the graph of a clean load (``PlangraphMeta.status`` says ``loading`` until then).
* Neo4j cannot store ``null`` properties; their keys are kept in ``_nulls`` so nodes and edges read back
  equal to what was written. Empty lists are stored the same way, as keys in ``_empty``: the offline
  bulk importer cannot write an empty list, so both load paths store them alike and the bulk import
  needs no fix-up writes (queries read list properties through ``coalesce(…, [])``).
* The password is handed to the driver and nowhere else: it is not an attribute, not in ``repr``, and
  driver errors are re-raised as :class:`StoreError` *from None* with the password scrubbed.
"""
from __future__ import annotations

import re
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import ConfigError, StoreError
from ..models import LABELS, PLAN, REL_TYPES, Edge, Graph, Node
from ..progress import Progress, ProgressEvent, null_progress
from ..queries import spec
from ..settings import Neo4jSettings
from .base import LoadStats

NODE_BATCH = 5_000
REL_BATCH = 5_000
_INTERNAL = ("_gen", "_nulls", "_empty")


def cypher_dir() -> Path:
    """``cypher/``: shipped inside the wheel as ``graph_builder/cypher`` (setup.py copies it at build time);
    in a source checkout it is the top-level directory."""
    packaged = resources.files("graph_builder") / "cypher"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "cypher"


@lru_cache(maxsize=None)
def cypher(name: str) -> str:
    """The text of ``cypher/NAME.cypher`` (comments stripped)."""
    if not re.fullmatch(r"[a-z_]+", name):
        raise ConfigError(f"非法的 Cypher 文件名 {name!r}")
    path = cypher_dir() / f"{name}.cypher"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"缺少 Cypher 文件 {path}") from exc
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def statements(name: str) -> list[str]:
    """A multi-statement file (schema.cypher) split at ``;`` line ends."""
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", cypher(name)) if s.strip()]


def labelled(name: str, *, label: str | None = None, rel_type: str | None = None) -> str:
    """A load statement with its whitelisted label/type filled in (the one place Cypher text is built)."""
    text = cypher(name)
    if label is not None:
        if label not in LABELS:
            raise StoreError(f"未知的节点标签 {label!r}（允许：{', '.join(LABELS)}）")
        text = text.replace("__LABEL__", label)
    if rel_type is not None:
        if rel_type not in REL_TYPES:
            raise StoreError(f"未知的关系类型 {rel_type!r}（允许：{', '.join(REL_TYPES)}）")
        text = text.replace("__TYPE__", rel_type)
    return text


class Neo4jStore:
    """:class:`GraphStore` on Neo4j via the official ``neo4j`` driver."""

    backend = "neo4j"

    def __init__(self, settings: Neo4jSettings, password: str):
        """*settings* and *password* are passed in (see :func:`graph_builder.settings.open_neo4j`);
        the store never reads the environment."""
        import neo4j

        self.settings = settings
        secret = password
        if not secret:
            raise ConfigError("未设置 NEO4J_PASSWORD（本地服务器：先运行 plangraph neo4j start）")
        # Only a scrubber keeps a reference to the secret; the driver owns the credentials.
        self._scrub: Callable[[str], str] = _scrubber(secret)
        try:
            self._driver = neo4j.GraphDatabase.driver(
                settings.uri, auth=(settings.user, secret), connection_timeout=settings.connect_timeout,
                max_transaction_retry_time=settings.retry_time, notifications_min_severity="OFF")
        except Exception as exc:  # bad URI scheme etc.
            raise StoreError(self._message(exc)) from None
        self._schema_ready = False
        #: Concurrent write transactions during a load.
        self.workers = settings.workers

    def __repr__(self) -> str:
        return f"Neo4jStore({self.settings.uri!r}, user={self.settings.user!r}, database={self.settings.database!r})"

    def describe(self) -> str:
        return self.settings.describe()

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> "Neo4jStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- plumbing
    def _message(self, exc: BaseException) -> str:
        """One Chinese line for a driver error, with the password scrubbed."""
        import neo4j.exceptions as ne

        where = self.settings.uri
        if isinstance(exc, ne.AuthError):
            msg = f"Neo4j 认证失败（{where}，用户 {self.settings.user}）：请检查 NEO4J_USER / NEO4J_PASSWORD"
        elif isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired, OSError)):
            msg = (f"无法连接 Neo4j（{where}）：服务器未运行或不可达。"
                   f"本地服务器请先运行 plangraph neo4j start，或设置 NEO4J_URI。")
        elif isinstance(exc, ne.ConfigurationError) or isinstance(exc, ValueError):
            msg = f"Neo4j 连接设置无效（{where}）：{exc}"
        elif isinstance(exc, ne.Neo4jError):
            msg = f"Neo4j 错误 {exc.code or ''}：{exc.message or exc}"
        else:
            msg = f"Neo4j 出错（{where}）：{type(exc).__name__}: {exc}"
        return self._scrub(re.sub(r"\s*\n\s*", " ", msg).strip())

    def _session(self, **kw: Any):
        return self._driver.session(database=self.settings.database, **kw)

    def _run(self, text: str, **params: Any) -> list[dict[str, Any]]:
        """One auto-commit statement (needed for CALL … IN TRANSACTIONS); rows as dicts."""
        try:
            with self._session() as s:
                return [r.data() for r in s.run(text, params)]
        except Exception as exc:
            raise StoreError(self._message(exc)) from None

    def _read(self, text: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx):
            result = tx.run(text, params)
            keys = result.keys()
            return [dict(zip(keys, rec)) for rec in result]  # values are plain Python already

        try:
            with self._session() as s:
                return s.execute_read(work)
        except Exception as exc:
            raise StoreError(self._message(exc)) from None

    def _write(self, text: str, **params: Any) -> None:
        def work(tx):
            tx.run(text, params).consume()

        try:
            with self._session() as s:
                s.execute_write(work)
        except Exception as exc:
            raise StoreError(self._message(exc)) from None

    def ping(self) -> None:
        """Fail fast with one clear line when the server is down or the credentials are wrong."""
        try:
            self._driver.verify_connectivity()
            with self._session() as s:
                s.run(cypher("ping")).consume()
        except Exception as exc:
            raise StoreError(self._message(exc)) from None

    def ensure_schema(self) -> None:
        """Constraints, lookup indexes and the cjk full-text index (idempotent).

        All are created in one transaction: Neo4j then populates them in one pass over the store instead
        of one pass each (the bulk import's graph is already there when they are created).
        """
        if self._schema_ready:
            return
        wanted = statements("schema")
        names = {m.group(1) for m in (re.search(r"CREATE (?:CONSTRAINT|INDEX|FULLTEXT INDEX) (\w+) IF NOT EXISTS", st)
                                      for st in wanted) if m}
        present = {r["name"] for r in self._run(cypher("show_indexes")) if r.get("state") == "ONLINE"}
        if not names <= present:  # one round trip instead of ~16 when the schema is already there
            def work(tx):
                for stmt in wanted:
                    tx.run(stmt).consume()

            try:
                with self._session() as s:
                    s.execute_write(work)
            except Exception as exc:
                raise StoreError(self._message(exc)) from None
            self._run(cypher("await_indexes"))
        self._schema_ready = True

    # ---------------------------------------------------------------- reading
    def node(self, node_id: str) -> Node | None:
        rows = self._read(cypher("get_node"), id=node_id)
        return _node(rows[0]) if rows else None

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]:
        return [_node(r) for r in self._read(cypher("get_nodes"), label=label, plan=plan)]

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]:
        if source is not None:
            rows = self._read(cypher("get_edges_from"), type=type_, source=source, target=target)
        elif target is not None:
            rows = self._read(cypher("get_edges_to"), type=type_, target=target)
        else:
            rows = self._read(cypher("get_edges"), type=type_, source=None, target=None)
        return [_edge(r) for r in rows]

    def load(self) -> Graph:
        g = Graph()
        for n in self.nodes():
            g.add_node(n)
        for e in self.edges():
            g.add_edge(e)
        return g

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for r in self._read(cypher("count_nodes")) + self._read(cypher("count_rels")):
            c[r["key"]] = c.get(r["key"], 0) + int(r["n"])
        return dict(sorted(c.items()))

    def schema_info(self) -> dict[str, list[dict[str, Any]]]:
        """Indexes and constraints as the server reports them (for checks and status output)."""
        return {"indexes": self._run(cypher("show_indexes")), "constraints": self._run(cypher("show_constraints"))}

    def load_status(self) -> dict[str, Any]:
        """The last load's state: ``status`` is ``complete``, ``loading`` (interrupted or running) or None."""
        rows = self._read(cypher("load_status"))
        return rows[0] if rows else {"status": None, "gen": None, "finished": None}

    def exists(self) -> bool:
        return self.load_status().get("status") is not None

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run ``cypher/NAME.cypher``; parameters, rounding and order come from the query's spec."""
        s = spec(name)
        bound = s.bind(params)
        return s.finish(self._read(cypher(name), **s.cypher_params(bound)), bound)

    # ---------------------------------------------------------------- writing
    def replace_all(self, graph: Graph, progress: Progress = null_progress) -> LoadStats:
        """Make the stored plangraph equal to *graph* (other data in the database is untouched)."""
        return self._replace(graph, None, progress)

    def replace_plans(self, graph: Graph, plan_ids: Iterable[str], progress: Progress = null_progress) -> LoadStats:
        """Drop what *plan_ids* own, keep the rest, write *graph* — same result as the embedded store."""
        plans = sorted(set(plan_ids))
        # Shared nodes that survive (Agency, Region, other plans) merge their properties as Graph.add_node does.
        keep = [i for i in graph.nodes if i not in plans]
        merged = Graph()
        for chunk in _chunks(keep, 5000):
            for r in self._read(cypher("get_nodes_by_id"), ids=chunk):
                old = _node(r)
                if _owner(old) not in plans:
                    merged.add_node(old)
        for n in graph.nodes.values():
            merged.add_node(n)
        out = Graph(merged.nodes.values(), graph.edges)
        return self._replace(out, plans, progress)

    def _write_batches(self, jobs: list[tuple[str, list[dict[str, Any]]]]) -> Iterator[int]:
        """Commit batches on :attr:`workers` sessions at once; yields each committed batch's size.

        Two concurrent transactions use both cores of a small machine (measured ≈1.8× on 2 cores);
        deadlocks between them are transient errors that the driver retries. On the first failure the
        batches not yet started are cancelled and the error is raised.
        """
        if self.workers <= 1 or len(jobs) <= 1:
            for stmt, rows in jobs:
                self._write(stmt, rows=rows)
                yield len(rows)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="neo4j-load") as pool:
            futures = {pool.submit(self._write, stmt, rows=rows): len(rows) for stmt, rows in jobs}
            try:
                for fut in as_completed(futures):
                    fut.result()
                    yield futures[fut]
            finally:
                for fut in futures:
                    fut.cancel()

    def _replace(self, graph: Graph, plans: list[str] | None, on_event: Progress) -> LoadStats:
        def progress(phase: str, done: int, total: int) -> None:  # phase: nodes | rels | cleanup
            on_event(ProgressEvent("store", phase, done, total))

        t0 = time.perf_counter()
        self.ping()
        self.ensure_schema()
        gen = uuid.uuid4().hex
        stats = LoadStats()
        empty = plans is None and bool(self._read(cypher("is_empty"))[0]["empty"])
        self._write(cypher("load_begin"), gen=gen, scope="all" if plans is None else ",".join(plans))

        by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for n in graph.nodes.values():
            if n.label not in LABELS:
                raise StoreError(f"节点 {n.id} 的标签 {n.label!r} 不在模型中（允许：{', '.join(LABELS)}）")
            by_label[n.label].append({"id": n.id, "props": _props(n.props, gen, n.id)})
        total_nodes = len(graph.nodes)
        node_stmt = "create_nodes" if empty else "merge_nodes"
        jobs = [(labelled(node_stmt, label=label), chunk)
                for label in LABELS for chunk in _chunks(by_label.get(label, []), NODE_BATCH)]
        for n in self._write_batches(jobs):
            stats.nodes += n
            progress("nodes", stats.nodes, total_nodes)

        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in graph.edges:
            if e.type not in REL_TYPES:
                raise StoreError(f"关系 {e.source}->{e.target} 的类型 {e.type!r} 不在模型中")
            # replace_all: an edge to a node outside *graph* cannot be stored; replace_plans: it may
            # point at a node already stored (MATCH finds it, or the row is a no-op).
            if plans is None and (e.source not in graph.nodes or e.target not in graph.nodes):
                stats.skipped_rels += 1
                continue
            by_type[e.type].append({"source": e.source, "target": e.target, "props": _props(e.props, gen)})
        for rows in by_type.values():  # batches then touch mostly disjoint nodes: fewer lock waits/deadlocks
            rows.sort(key=lambda r: (r["source"], r["target"]))
        total_rels = sum(len(v) for v in by_type.values())
        rel_stmt = "create_rels" if empty else "merge_rels"
        jobs = [(labelled(rel_stmt, rel_type=rel_type), chunk)
                for rel_type in REL_TYPES for chunk in _chunks(by_type.get(rel_type, []), REL_BATCH)]
        for n in self._write_batches(jobs):  # only after every node batch has committed
            stats.rels += n
            progress("rels", stats.rels, total_rels)

        progress("cleanup", 0, 1)
        if plans is None:
            self._run(cypher("delete_stale_rels"), gen=gen)
            self._run(cypher("delete_stale_nodes"), gen=gen)
        else:
            self._run(cypher("delete_stale_plan_rels"), gen=gen, plans=plans)
            self._run(cypher("delete_stale_plan_nodes"), gen=gen, plans=plans)
        self._write(cypher("load_end"), gen=gen, nodes=stats.nodes, rels=stats.rels)
        progress("cleanup", 1, 1)
        stats.seconds = time.perf_counter() - t0
        return stats


# ---------------------------------------------------------------- helpers


def _scrubber(secret: str) -> Callable[[str], str]:
    def scrub(text: str) -> str:
        return text.replace(secret, "******") if secret else text

    return scrub


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _owner(n: Node) -> str | None:
    return n.id if n.label == PLAN else n.props.get("plan")


def _props(props: dict[str, Any], gen: str, node_id: str | None = None) -> dict[str, Any]:
    """Properties as Neo4j stores them: no nulls (their keys go to ``_nulls``) and no empty lists (their
    keys go to ``_empty``), plus ``id``/``_gen``."""
    out: dict[str, Any] = {}
    nulls: list[str] = []
    empty: list[str] = []
    for k, v in props.items():
        if k in _INTERNAL or k == "id":
            continue
        if v is None:
            nulls.append(k)
        elif isinstance(v, list) and not v:
            empty.append(k)
        elif isinstance(v, (dict, set, tuple)) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)):
            raise StoreError(f"属性 {k!r} 不是扁平值（Neo4j 只能保存字符串、数字、布尔值和列表）：{node_id or ''}")
        else:
            out[k] = v
    if node_id is not None:
        out["id"] = node_id
    out["_gen"] = gen
    if nulls:
        out["_nulls"] = sorted(nulls)
    if empty:
        out["_empty"] = sorted(empty)
    return out


def _unprops(raw: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in raw.items() if k not in _INTERNAL and k != "id"}
    for k in raw.get("_nulls") or []:
        props[k] = None
    for k in raw.get("_empty") or []:
        props[k] = []
    return props


def _node(row: dict[str, Any]) -> Node:
    return Node(row["id"], row["label"], _unprops(row["props"]))


def _edge(row: dict[str, Any]) -> Edge:
    return Edge(row["type"], row["source"], row["target"], _unprops(row["props"]))
