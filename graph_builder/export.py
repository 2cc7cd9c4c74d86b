"""Export the stored graph: JSON (the ``plangraph/1`` contract), GraphML, or CSV (nodes.csv + edges.csv)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .errors import ConfigError
from .models import Graph
from .store.embedded import atomic_write_text

FORMATS = ("json", "graphml", "csv")


def export_graph(graph: Graph, fmt: str, out: Path) -> list[Path]:
    """Write *graph* as *fmt* to *out*; returns the files written (each written atomically)."""
    out = Path(out)
    if fmt == "json":
        atomic_write_text(out, json.dumps(graph.to_json(), ensure_ascii=False, indent=1))
        return [out]
    if fmt == "graphml":
        import networkx as nx

        g = nx.MultiDiGraph()
        for n in graph.nodes.values():
            g.add_node(n.id, label=n.label, **{k: _scalar(v) for k, v in n.props.items() if v is not None})
        for e in graph.edges:
            g.add_edge(e.source, e.target, key=e.type, type=e.type,
                       **{k: _scalar(v) for k, v in e.props.items() if v is not None})
        buf = io.BytesIO()
        nx.write_graphml(g, buf, encoding="utf-8")
        atomic_write_text(out, buf.getvalue().decode("utf-8"))
        return [out]
    if fmt == "csv":
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
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(header)
            w.writerows(rows)
            atomic_write_text(out / name, "\ufeff" + buf.getvalue())  # BOM so Excel reads UTF-8 Chinese
            files.append(out / name)
        return files
    raise ConfigError(f"不支持的导出格式 {fmt!r}；可用：{', '.join(FORMATS)}")


def _scalar(v):
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else v
