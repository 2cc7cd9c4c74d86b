"""Neo4j commands: load-neo4j, query, neo4j start|stop|status."""
from __future__ import annotations


def register(sub) -> None:  # filled in by the Neo4j work
    return None
