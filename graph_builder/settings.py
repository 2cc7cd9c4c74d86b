"""Connection settings read from the environment — here and nowhere else (stores get them passed in).

NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE, PLANGRAPH_NEO4J_WORKERS, PLANGRAPH_WORKERS, and the local
server's state directory written by scripts/neo4j.sh (.neo4j/: port and password). The password is
returned to the caller, which hands it straight to the store's driver; it is never printed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

DEFAULT_URI = "bolt://127.0.0.1:7687"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jSettings:
    """Where to connect and how. Deliberately has no password field (it would end up in reprs and logs)."""

    uri: str = DEFAULT_URI
    user: str = "neo4j"
    database: str | None = None
    workers: int = 2  # concurrent write transactions during a load (from_env: PLANGRAPH_NEO4J_WORKERS or the core count)
    connect_timeout: float = 10.0
    retry_time: float = 15.0

    def describe(self) -> str:
        return f"Neo4j {self.uri}（用户 {self.user}" + (f"，数据库 {self.database}）" if self.database else "）")


def build_workers() -> int:
    """Processes that read and extract plan files (PLANGRAPH_WORKERS, default the core count; 1 = in-process)."""
    try:
        return max(1, int(os.environ.get("PLANGRAPH_WORKERS") or os.cpu_count() or 1))
    except ValueError:
        raise ConfigError("PLANGRAPH_WORKERS 必须是整数") from None


def local_state_dir() -> Path:
    """Where scripts/neo4j.sh keeps the local server's data, port and password (source checkout)."""
    return Path(os.environ.get("PLANGRAPH_NEO4J_DIR", Path(__file__).resolve().parents[1] / ".neo4j"))


def local_password() -> str | None:
    """The password of the server started by scripts/neo4j.sh, if there is one."""
    try:
        return (local_state_dir() / "password").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def local_uri() -> str:
    """The local server's address (its port may not be 7687 when that was taken)."""
    port = os.environ.get("NEO4J_PORT")
    if not port:
        try:
            port = (local_state_dir() / "port").read_text(encoding="utf-8").strip()
        except OSError:
            port = ""
    return f"bolt://127.0.0.1:{port}" if port.isdigit() else DEFAULT_URI


def neo4j_from_env(uri: str | None = None, user: str | None = None, database: str | None = None,
                   password: str | None = None, **overrides) -> tuple[Neo4jSettings, str]:
    """(settings, password) from explicit values, else the environment, else the local server's files."""
    uri = uri or os.environ.get("NEO4J_URI") or local_uri()
    secret = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    if not secret and uri == local_uri():
        secret = local_password()  # only ever sent to the local server it belongs to
    if not secret:
        raise ConfigError("未设置 NEO4J_PASSWORD（本地服务器：先运行 plangraph neo4j start）")
    scheme = uri.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ConfigError(f"NEO4J_URI 应以 bolt:// 或 neo4j:// 开头：{uri!r}")
    try:
        workers = max(1, int(os.environ.get("PLANGRAPH_NEO4J_WORKERS") or os.cpu_count() or 2))
    except ValueError:
        raise ConfigError("PLANGRAPH_NEO4J_WORKERS 必须是整数") from None
    settings = Neo4jSettings(uri, user or os.environ.get("NEO4J_USER") or Neo4jSettings.user,
                             database or os.environ.get("NEO4J_DATABASE") or None, workers=workers)
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return settings, secret

