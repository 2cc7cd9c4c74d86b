"""Export the stored graph: JSON (the ``plangraph/1`` contract), GraphML, or CSV (nodes.csv + edges.csv)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from .errors import ConfigError
from .models import Graph
from .safeout import write_csv
from .fileio import atomic_write_text

FORMATS = ("json", "graphml", "csv")


def export_graph(graph: Graph, fmt: str, out: Path) -> list[Path]:
    """Write *graph* as *fmt* to *out*; returns the files written (each written atomically)."""
    out = Path(out)
    if fmt in ("json", "graphml") and out.is_dir():
        raise ConfigError(f"{out}: 是一个目录；{fmt} 导出需要一个文件名")
    if fmt == "json":
        atomic_write_text(out, json.dumps(graph.to_json(), ensure_ascii=False, indent=1))
        return [out]
    if fmt == "graphml":
        import networkx as nx

        g = nx.MultiDiGraph()
        for n in graph.nodes.values():
            g.add_node(n.id, label=n.label, **{k: _xml(_scalar(v)) for k, v in n.props.items() if v is not None})
        for e in graph.edges:
            k = g.add_edge(e.source, e.target, key=e.type)  # attributes set apart: an edge may carry a "key" property
            g[e.source][e.target][k].update({"type": e.type, **{a: _xml(_scalar(v)) for a, v in e.props.items() if v is not None}})
        buf = io.BytesIO()
        nx.write_graphml(g, buf, encoding="utf-8")
        atomic_write_text(out, buf.getvalue().decode("utf-8"))
        return [out]
    if fmt == "csv":
        if out.exists() and not out.is_dir():
            raise ConfigError(f"{out}: 已存在同名文件；csv 导出需要一个目录（写出 nodes.csv 和 edges.csv）")
        out.mkdir(parents=True, exist_ok=True)
        node_keys = sorted({k for n in graph.nodes.values() for k in n.props})
        edge_keys = sorted({k for e in graph.edges for k in e.props})
        files = []
        for name, header, rows in (
            ("nodes.csv", ["id", "label", *node_keys],
             ([n.id, n.label, *(_scalar(n.props.get(k)) for k in node_keys)] for n in graph.nodes.values())),
            ("edges.csv", ["type", "source", "target", *edge_keys],
             ([e.type, e.source, e.target, *(_scalar(e.props.get(k)) for k in edge_keys)] for e in graph.edges)),
        ):
            files.append(write_csv(out / name, header, rows))  # cells neutralised, BOM for Excel
        return files
    raise ConfigError(f"不支持的导出格式 {fmt!r}；可用：{', '.join(FORMATS)}")


def _scalar(v):
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else v


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(v):
    """Characters XML 1.0 cannot hold (NUL, most C0 controls) are dropped; stores built before ingest
    sanitising may still carry them."""
    return _XML_BAD.sub("", v) if isinstance(v, str) else v
