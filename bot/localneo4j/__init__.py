"""The project's own local Neo4j 5.26 Community server (Maven Central jars + a tiny embedded launcher)."""

from bot.localneo4j.runtime import RUNTIME_VERSION, Neo4jRuntimeError, ensure_runtime
from bot.localneo4j.server import LocalNeo4j, ServerInfo

__all__ = ["RUNTIME_VERSION", "LocalNeo4j", "Neo4jRuntimeError", "ServerInfo", "ensure_runtime"]
