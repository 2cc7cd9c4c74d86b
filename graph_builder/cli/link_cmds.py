"""Linking, tracing, reports and review commands (issue: link the plans)."""
from __future__ import annotations


def register(sub) -> None:  # filled in by the linking work
    return None
