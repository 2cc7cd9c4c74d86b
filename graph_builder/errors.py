"""One exception root, so the CLI can map every failure to an exit code and one clear line."""
from __future__ import annotations


class GraphBuilderError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1


class ParseError(GraphBuilderError):
    """A document could not be read or understood; names the file (and line when known)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path, self.line, self.reason = path, line, message
        where = f"{path}:{line}" if path and line else (path or "")
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(GraphBuilderError):
    """The graph store could not be read or written (embedded directory or Neo4j)."""

    exit_code = 3


class ConfigError(GraphBuilderError):
    """Bad settings or arguments (missing store, unknown query, malformed decision file)."""

    exit_code = 4


class NotFoundError(GraphBuilderError):
    """A plan, task or goal named on the command line is not in the graph (exit code 5, see README)."""

    exit_code = 5


class SchemaError(GraphBuilderError):
    """A node or edge does not fit the schema in ``graph_builder.models`` (a bug in the producing stage)."""

    exit_code = 1


class PatternError(ConfigError):
    """A pattern/settings file under ``graph_builder/patterns/`` is malformed: names file, key and problem."""

    def __init__(self, path: str, key: str, problem: str):
        self.path, self.key, self.problem = path, key, problem
        super().__init__(f"{path}: {key}: {problem}")
