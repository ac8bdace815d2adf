"""The import cache: where ptx keeps the DuckDB copies it makes of CSV/Excel/Parquet sources.

A cache holds a full copy of a source, free text included, so it is private: the folder is
created 0700 and every file 0600, a cache replaced by a newer one (the files or the mapping
changed) is deleted, and ``ptx cache clear`` deletes them all. Two processes opening the same
source at once take turns (an exclusive lock per source), so the second reuses the first's
cache instead of both writing it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
SUFFIX = ".duckdb"


def cache_dir() -> Path:
    """``PTX_CACHE_DIR``, else ``~/.cache/ptx``."""
    return Path(os.environ.get("PTX_CACHE_DIR", Path.home() / ".cache" / "ptx"))


def private_dir() -> Path:
    """The cache folder; created readable by its owner only (a folder that exists already, one
    named by ``PTX_CACHE_DIR``, keeps its permissions: the files in it are private anyway)."""
    folder = cache_dir()
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(PRIVATE_FOLDER)  # not mkdir's mode, which the umask can loosen
    return folder


@contextmanager
def locked(name: str) -> Iterator[None]:
    """Hold the exclusive lock ``name`` (a file in the cache folder) for the block."""
    path = private_dir() / f"{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def keep_private(path: Path) -> None:
    """Make a file ptx wrote readable by its owner only."""
    for part in (path, path.with_name(path.name + ".wal")):
        if part.exists():
            part.chmod(PRIVATE_FILE)


def prune(family: str, keep: Path) -> list[Path]:
    """Delete the caches of ``family`` (one source) other than ``keep``; return them."""
    removed = []
    for old in cache_dir().glob(f"{family}-*{SUFFIX}"):
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_name(old.name + ".wal").unlink(missing_ok=True)
            removed.append(old)
    return removed


def clear() -> list[Path]:
    """Delete every cache (and lock) in the cache folder; return the caches deleted."""
    folder = cache_dir()
    if not folder.is_dir():
        return []
    removed = sorted(folder.glob(f"*{SUFFIX}"))
    for path in removed:
        path.unlink(missing_ok=True)
    for path in [*folder.glob(f"*{SUFFIX}.wal"), *folder.glob("*.lock")]:
        path.unlink(missing_ok=True)
    return removed
