"""Fetch the Neo4j jars from Maven Central once per version and compile the launcher, atomically."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LAUNCHER = HERE / "AmiaNeo4j.java"
LAUNCHER_HASH = hashlib.sha256(LAUNCHER.read_bytes()).hexdigest()[:12]
RUNTIME_VERSION = re.search(r"<neo4j.version>(.+?)</neo4j.version>", POM.read_text()).group(1)  # type: ignore[union-attr]


class Neo4jRuntimeError(RuntimeError):
    """The local Neo4j runtime could not be prepared or started; the message says how to fix it."""


@dataclass(frozen=True)
class Runtime:
    """A ready runtime folder: ``lib/`` holds the jars, ``classes/`` the compiled launcher."""

    root: Path

    @property
    def classpath(self) -> str:
        return f"{self.root / 'classes'}:{self.root / 'lib'}/*"


def _run(cmd: list[str], what: str, timeout: float) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise Neo4jRuntimeError(
            f"{what}: '{cmd[0]}' is not installed. Install a JDK 17+ and Maven "
            "(Debian: apt-get install -y openjdk-17-jdk-headless maven), or set NEO4J_URI to an existing server."
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise Neo4jRuntimeError(f"{what} did not finish within {timeout:.0f}s") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise Neo4jRuntimeError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _compile(lib: Path, classes: Path) -> None:
    """Compile the launcher into ``classes`` via a staging folder (never a half-written class)."""
    staging = Path(tempfile.mkdtemp(prefix="classes-", dir=classes.parent))
    staging.chmod(0o755)
    try:
        _run(
            ["javac", "--release", "17", "-nowarn", "-cp", f"{lib}/*", "-d", str(staging), str(LAUNCHER)],
            "compiling the Neo4j launcher",
            300,
        )
        (staging / ".launcher").write_text(LAUNCHER_HASH)
        if classes.exists():
            shutil.rmtree(classes)
        staging.rename(classes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_runtime(root: Path, *, timeout: float = 900.0) -> Runtime:
    """Make ``root`` hold the pinned Neo4j jars and the launcher; a no-op when already complete.

    Work happens in a temporary sibling folder that is renamed into place at the end, so an
    interrupted download never leaves a half-filled runtime behind.
    """
    root = root.resolve()
    marker = root / "lib" / ".complete"
    stamp = root / "classes" / ".launcher"
    if marker.exists() and marker.read_text().strip() == RUNTIME_VERSION:
        if stamp.exists() and stamp.read_text().strip() == LAUNCHER_HASH:
            return Runtime(root)
        _compile(root / "lib", root / "classes")  # the launcher changed: recompile, keep the jars
        return Runtime(root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="runtime-", dir=root))
    try:
        lib, classes = staging / "lib", staging / "classes"
        log.info("fetching Neo4j %s jars from Maven Central (once per version)", RUNTIME_VERSION)
        _run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(POM),
                "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={lib}",
            ],
            "resolving Neo4j jars with Maven",
            timeout,
        )
        _compile(lib, classes)
        (lib / ".complete").write_text(RUNTIME_VERSION)
        for name in ("lib", "classes"):
            target = root / name
            if target.exists():
                shutil.rmtree(target)
            (staging / name).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Runtime(root)
