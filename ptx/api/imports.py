"""Import export files into a database and say what was read: ``ptx import`` and the Data page."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from ptx.config import Config, load_config
from ptx.errors import ConfigError
from ptx.ingest import Progress, files_for, import_into
from ptx.sources import open_source
from ptx.validate import ValidationReport, validation_report

IMPORTS = Path("data") / "imports"  # where the Data page writes, relative to the current folder


def import_target(name: str) -> Path:
    """The DuckDB file the Data page imports into: ``data/imports/<name>.duckdb``, the name kept
    to letters, digits, '-' and '_' (a page never writes anywhere a viewer types)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60]
    if not slug:
        raise ConfigError("Name the import with letters or digits, e.g. fft-2026-10.")
    return IMPORTS / f"{slug}.duckdb"


def import_exports(
    files: Path | Mapping[str, bytes],
    target: str | Path,
    *,
    config: Config | Path | str | None = None,
    mapping: str | None = None,
    table: str | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Read export files, map and check them, write them into ``target`` and report.

    Parameters
    ----------
    files
        A folder of export files or one file (see :func:`ptx.ingest.files_for`), or uploaded
        files as ``{file name: content}``.
    target
        A .duckdb or .sqlite file or a SQLAlchemy URL; its ptx tables are replaced.
    config, mapping
        The mapping: a :class:`~ptx.config.Config`, a ptx.toml path, or the text of one
        (``mapping``); default ``PTX_CONFIG`` or ``./ptx.toml``.
    table
        The model table a single file holds (default: feedback).

    Returns
    -------
    The validation report of the written source, with what the import read (rows read, loaded
    and quarantined, each reason with an example, each answer value as read).
    """
    uploaded = isinstance(files, Mapping)
    with tempfile.TemporaryDirectory(prefix="ptx-import-") as scratch:
        if mapping is not None or (uploaded and config is None):
            # Uploads are mapped by the text given with them, never by this machine's ptx.toml.
            path = Path(scratch) / "ptx.toml"
            path.write_text(mapping or "", encoding="utf-8")
            config = path
        if not isinstance(config, Config):
            config = load_config(config, location=str(target))
        location = _uploaded(files, Path(scratch) / "files") if uploaded else Path(files)
        found = files_for(location, config, table)
        if uploaded:
            folder = (location if location.is_dir() else location.parent).resolve()
            outside = [n for n, p in found.items() if p.resolve().parent != folder]
            if outside:  # uploads are read, nothing else on this machine
                raise ConfigError(
                    f"The mapping names a file for {', '.join(outside)} that was not uploaded: "
                    "upload it too, or name an uploaded file."
                )
        import_into(found, config, target, progress=progress)
    source = open_source(replace(config, location=str(target), tables=MappingProxyType({})))
    try:
        return validation_report(source)
    finally:
        source.dispose()


def _uploaded(files: Mapping[str, bytes], folder: Path) -> Path:
    """Write uploads into ``folder``; return the folder, or the file when there is one."""
    if not files:
        raise ConfigError("No files to import.")
    names = [Path(name).name for name in files]
    bad = [n for n in names if n in ("", ".", "..") or not Path(n).suffix]
    if bad or len(set(names)) < len(names):
        raise ConfigError(
            "Each uploaded file needs its own name with a suffix such as .csv or .xlsx."
        )
    folder.mkdir()
    for name, content in zip(names, files.values(), strict=True):
        (folder / name).write_bytes(content)
    return folder if len(names) > 1 else folder / names[0]
