"""The one storage protocol. Only stores write; both implementations pass the same test suite."""
from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable

from ..models import Edge, Graph, Node


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers. Writes are all-or-nothing."""

    def replace_all(self, graph: Graph) -> None:
        """Atomically replace the whole stored graph by *graph*."""

    def replace_plans(self, graph: Graph, plan_ids: Iterable[str]) -> None:
        """Atomically drop everything owned by *plan_ids* and write *graph* (which holds their new content)."""

    def load(self) -> Graph:
        """The whole graph (for the embedded store; Neo4j streams it)."""

    def node(self, node_id: str) -> Node | None: ...

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]: ...

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]: ...

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query of the library (see ``graph_builder.queries``)."""

    def counts(self) -> dict[str, int]:
        """Node counts per label and edge counts per type."""
