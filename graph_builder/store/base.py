"""The one storage protocol: both stores implement exactly these signatures and return types.

Only stores write. Both pass the same test suite (tests/test_neo4j_store.py), and callers (CLI, UI,
pipeline) never ask which one they have — no getattr/hasattr on a store.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol, runtime_checkable

from ..models import Edge, Graph, Node
from ..progress import Progress


@dataclass
class LoadStats:
    """What a write did (both stores return it)."""

    nodes: int = 0
    rels: int = 0
    skipped_rels: int = 0  # edges whose endpoint is not in the store (Neo4j cannot hold them)
    seconds: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return (self.nodes + self.rels) / self.seconds if self.seconds else 0.0


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers. Writes are all-or-nothing (or, on Neo4j, rerun-to-repair)."""

    backend: str  # "embedded" | "neo4j"

    def describe(self) -> str:
        """Where the graph lives, in Chinese (for status lines and the sidebar)."""

    def exists(self) -> bool:
        """Whether a graph has been stored (a completed load)."""

    def replace_all(self, graph: Graph, progress: Progress = ...) -> LoadStats:
        """Replace the whole stored graph by *graph*; *progress* gets ``ProgressEvent("store", …)``."""

    def replace_plans(self, graph: Graph, plan_ids: Iterable[str], progress: Progress = ...) -> LoadStats:
        """Drop everything owned by *plan_ids* and write *graph* (which holds their new content)."""

    def load(self) -> Graph:
        """The whole graph (the UI never calls it on Neo4j)."""

    def load_status(self) -> dict[str, Any]:
        """``{"status": "complete"|"loading"|None, "gen": …, "finished": …}``; ``gen`` changes on every write."""

    def node(self, node_id: str) -> Node | None: ...

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]: ...

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]: ...

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query of the library (spec in ``graph_builder.queries.SPECS``)."""

    def counts(self) -> dict[str, int]:
        """Node counts per label and edge counts per type."""

    def close(self) -> None: ...
