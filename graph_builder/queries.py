"""The query library: ONE explicit table of query specs, read by both stores and by the tests.

A :class:`QuerySpec` says everything a query means: its parameters (with defaults and validators),
the keys of its rows in order, how rows are ordered, which columns are rounded, the embedded
implementation (networkx, in :mod:`graph_builder.traversal` / :mod:`graph_builder.analyse`) and the
Neo4j statement ``cypher/NAME.cypher``. Nothing registers itself on import: :data:`SPECS` is a plain
dict built below, and the differential tests iterate over it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import analyse, traversal
from .errors import ConfigError
from .models import MAX_DEPTH, ORPHAN_KINDS, OVERLAP_KINDS, Graph

Row = dict[str, Any]
_NO_DEFAULT = object()


# ---------------------------------------------------------------- validators (raise ConfigError in Chinese)


def _int(name: str, v: Any) -> int:
    if isinstance(v, bool):
        raise ConfigError(f"参数 {name} 必须是整数：{v!r}")
    try:
        return int(v)
    except (TypeError, ValueError):
        raise ConfigError(f"参数 {name} 必须是整数：{v!r}") from None


def depth(name: str, v: Any) -> int:
    """0..MAX_DEPTH (Cypher quantifiers cannot be parameters, so the bound is a literal in trace_*.cypher)."""
    d = _int(name, v)
    if not 0 <= d <= MAX_DEPTH:
        raise ConfigError(f"{name} 必须在 0 到 {MAX_DEPTH} 之间")
    return d


def non_negative_int(name: str, v: Any) -> int:
    n = _int(name, v)
    if n < 0:
        raise ConfigError(f"{name} 不能为负数")
    return n


def number(name: str, v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ConfigError(f"参数 {name} 必须是数字：{v!r}") from None


def text(name: str, v: Any) -> str:
    return str("" if v is None else v)


def optional_text(name: str, v: Any) -> str | None:
    return None if v is None else str(v)


def one_of(choices: tuple[str, ...], *, optional: bool = False, what: str = "取值") -> Callable[[str, Any], Any]:
    def check(name: str, v: Any) -> Any:
        if v is None and optional:
            return None
        if v not in choices:
            raise ConfigError(f"未知{what} {v!r}（可用：{'、'.join(choices)}）")
        return v

    return check


@dataclass(frozen=True)
class Param:
    name: str
    check: Callable[[str, Any], Any]
    default: Any = _NO_DEFAULT

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT


@dataclass(frozen=True)
class QuerySpec:
    """One query of the library. ``order`` sorts rows (applied after rounding, on both stores)."""

    name: str
    summary: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    order: Callable[[Row], Any]
    order_doc: str
    embedded: Callable[..., list[Row]]
    rounding: dict[str, int] = field(default_factory=dict)
    #: Shapes validated params for the Cypher text (e.g. the search's Lucene phrase); identity by default.
    cypher_params: Callable[[dict[str, Any]], dict[str, Any]] = dict
    #: Applied after ordering (the search's limit).
    limit_param: str | None = None

    @property
    def cypher_file(self) -> str:
        return f"{self.name}.cypher"

    def bind(self, params: dict[str, Any]) -> dict[str, Any]:
        """Validated parameters with defaults filled in; unknown or missing ones are a :class:`ConfigError`."""
        known = {p.name for p in self.params}
        extra = sorted(set(params) - known)
        if extra:
            raise ConfigError(f"查询 {self.name} 没有参数 {', '.join(extra)}；可用参数：{', '.join(sorted(known)) or '（无）'}")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in params:
                out[p.name] = p.check(p.name, params[p.name])
            elif p.required:
                raise ConfigError(f"查询 {self.name} 缺少参数 {p.name}")
            else:
                out[p.name] = p.default
        return out

    def finish(self, rows: list[Row], params: dict[str, Any]) -> list[Row]:
        """Round, order and limit rows exactly as the spec says (both stores call this)."""
        for r in rows:
            for col, nd in self.rounding.items():
                if isinstance(r.get(col), float):
                    r[col] = round(r[col], nd)
        rows = [{c: r.get(c) for c in self.columns} for r in rows]
        rows.sort(key=self.order)
        if self.limit_param is not None:
            rows = rows[: params[self.limit_param]]
        return rows


_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,64}$")


def _search_cypher(p: dict[str, Any]) -> dict[str, Any]:
    """Lower-cased needle; a Lucene phrase only for 2..64 Han characters so user input never reaches Lucene."""
    t = p["text"].strip()
    return {"needle": t.lower(), "lucene": f'"{t}"' if _HAN.match(t) else None, "limit": p["limit"]}


def _plan_key(r: Row) -> tuple[bool, str]:
    """Cypher's ORDER BY puts a missing plan last."""
    return (r["plan"] is None, r["plan"] or "")


_TRACE_COLS = ("id", "label", "plan", "title", "depth")

SPECS: dict[str, QuerySpec] = {s.name: s for s in (
    QuerySpec("trace_down", "经 上级规划 向下追溯（最小层级）",
              (Param("id", text), Param("max_depth", depth, 6)), _TRACE_COLS,
              lambda r: (r["depth"], r["id"]), "depth, id", traversal.trace_down),
    QuerySpec("trace_up", "经 上级规划 向上追溯（最小层级）",
              (Param("id", text), Param("max_depth", depth, 6)), _TRACE_COLS,
              lambda r: (r["depth"], r["id"]), "depth, id", traversal.trace_up),
    QuerySpec("orphans", "孤立项",
              (Param("kind", one_of(ORPHAN_KINDS, what="孤立项类型"), "no_upper"),),
              ("id", "label", "plan", "title", "kind", "reason"),
              lambda r: (str(r["plan"]), r["id"]), "plan, id", analyse.orphans),
    QuerySpec("overlaps", "重叠任务",
              (Param("kind", one_of(OVERLAP_KINDS, optional=True, what="重叠类型"), None),
               Param("min_score", number, 0.0)),
              ("a", "b", "a_plan", "b_plan", "a_title", "b_title", "kind", "score"),
              lambda r: (-r["score"], r["a"], r["b"]), "score desc, a, b", analyse.overlaps,
              rounding={"score": 4}),
    QuerySpec("responsibility", "责任矩阵", (Param("plan", optional_text, None),),
              ("agency", "agency_name", "target", "target_title", "plan", "role"),
              lambda r: (r["agency"], r["target"]), "agency, target", traversal.responsibility),
    QuerySpec("coverage", "上级章节被下级承接的比例", (Param("lower", optional_text, None),),
              ("lower_plan", "upper_plan", "section", "section_title", "upper_items", "covered", "share"),
              lambda r: (r["lower_plan"], r["upper_plan"], r["section"]), "lower_plan, upper_plan, section",
              analyse.coverage, rounding={"share": 3}),
    QuerySpec("indicator_flags", "指标一致性标记", (),
              ("lower", "upper", "lower_name", "upper_name", "flag", "reason"),
              lambda r: (r["lower"], r["upper"], r["flag"]), "lower, upper, flag", analyse.indicator_flags),
    QuerySpec("search", "全文搜索任务、项目和指标",
              (Param("text", text), Param("limit", non_negative_int, 20)),
              ("id", "label", "plan", "title"),
              lambda r: (*_plan_key(r), r["id"]), "plan, id", traversal.search,
              cypher_params=_search_cypher, limit_param="limit"),
)}


def spec(name: str) -> QuerySpec:
    """The spec of query *name*, or a :class:`ConfigError` listing the library."""
    try:
        return SPECS[name]
    except KeyError:
        raise ConfigError(f"未知查询 {name!r}；可用：{', '.join(sorted(SPECS))}") from None


def run_embedded(graph: Graph, name: str, **params: Any) -> list[Row]:
    """Answer query *name* on an in-memory graph (the embedded store's implementation)."""
    s = spec(name)
    bound = s.bind(params)
    return s.finish(s.embedded(graph, **bound), bound)
