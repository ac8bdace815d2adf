"""Published results are never read as patient responses.

A CMS HCAHPS or NHS England FFT results file holds percentages per hospital, state or trust.
Mapped onto the feedback table (a star rating or an answer percentage as the "rating", a
facility as the "department"), it would load and give nonsense: an NPS from linear mean scores,
a % positive from star ratings read backwards. :func:`refuse_published` stops that import with
a message saying what the file is and how to load it as benchmarks instead.
"""

from __future__ import annotations

from pathlib import Path

from ptx.errors import SchemaError

# Tables of individual responses or complaints: a published results file is none of them.
RESPONSE_TABLES = ("feedback", "feedback_answers", "complaints", "activity", "departments")


def published_layout(columns) -> str | None:
    """The published-results layout of a header (see :mod:`ptx.benchmarks.imports`), or
    None for anything else."""
    from ptx.benchmarks.imports import layout_of

    layout = layout_of([str(c) for c in columns])
    auxiliary = ("measure list", "state list", "question list", "release windows")
    return None if layout in auxiliary else layout


def refuse_published(file: Path | str, table: str, columns) -> None:
    """Raise SchemaError when a file about to be read as ``table`` is a published results file.

    Raises
    ------
    SchemaError
        Naming the layout, why its rows are not responses, and the command that imports it.
    """
    if table not in RESPONSE_TABLES:
        return
    layout = published_layout(columns)
    if layout is None:
        return
    raise SchemaError(
        f"{file}: this is a published results file ({layout} layout): each row is a "
        f"percentage, score or star rating for a whole hospital, state or trust, not a "
        f"patient's response, so it cannot be the '{table}' table — ptx would compute FFT, "
        "NPS and top-box measures from numbers that are not answers. Import it as benchmarks "
        f"instead: ptx benchmarks import {Path(str(file)).name} --to <database>, or leave it "
        "in the export folder under a name no table is mapped to (ptx import reads it into "
        "the published results); the Benchmarks page places your unit among its peers. Remove "
        "its mapping from ptx.toml."
    )
