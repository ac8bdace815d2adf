"""A theme classifier trained on a hospital's own coding of its comments.

Many trusts already code comments by hand. ``ptx themes train LABELLED.csv`` fits, on those
codes, one logistic regression per theme over TF-IDF features of words and word pairs
(scikit-learn), and saves it beside the config; ptx then assigns themes with it instead of the
taxonomy's keywords (see :func:`ptx.themes.tagger_for`).

The labelled file has a text column (``comment`` by default) and either one column per theme
(named by the theme's key or label; 1, true or yes where it applies) or a ``themes`` column of
keys or labels separated by ``;`` or ``|``. The model file is a Python pickle: load only one
you (or ``ptx themes train``) wrote.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ptx.errors import PtxError

MIN_EXAMPLES = 5  # a theme with fewer positive examples is not learnt (reported, not guessed)
THRESHOLD = 0.5  # the probability at or above which a theme is assigned
FORMAT = 1  # of the saved file; a file of another format is refused, not misread
TRUE_WORDS = {"1", "1.0", "true", "yes", "y", "x"}


@dataclass(frozen=True)
class ThemeModel:
    """A fitted vectoriser and one classifier per theme; ``predict`` gives theme keys."""

    themes: tuple[str, ...]
    pipeline: object = field(repr=False)
    trained_on: int = 0
    skipped: tuple[str, ...] = ()  # themes with too few examples to learn
    digest: str = ""

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """rows x themes: the probability of each theme for each text."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return np.zeros((0, len(self.themes)))
        return np.asarray(self.pipeline.predict_proba(texts))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        chosen = self.probabilities(texts) >= THRESHOLD
        return [tuple(t for t, on in zip(self.themes, row, strict=True) if on) for row in chosen]


def pipeline():
    """TF-IDF of words and word pairs, then one logistic regression per class (liblinear: the
    fast solver for sparse text; lbfgs took tens of seconds here)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, strip_accents="unicode"),
        OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear")),
    )


def fit(texts: Sequence[str], labels: Sequence[Sequence[str]], themes: Sequence[str]) -> ThemeModel:
    """Fit a model on texts and their theme keys (each a list, possibly empty)."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    matrix = np.array([[theme in set(row) for theme in themes] for row in labels], dtype=int)
    counts = matrix.sum(axis=0) if len(matrix) else np.zeros(len(themes))
    learnt = [t for t, n in zip(themes, counts, strict=True) if n >= MIN_EXAMPLES]
    if not learnt:
        raise PtxError(
            f"No theme has {MIN_EXAMPLES} or more labelled comments: label more comments "
            "before training."
        )
    keep = [list(themes).index(t) for t in learnt]
    model = pipeline()
    model.fit(texts, matrix[:, keep])
    skipped = tuple(t for t in themes if t not in learnt)
    return ThemeModel(tuple(learnt), model, len(texts), skipped)


def save_model(model: ThemeModel, path: Path) -> Path:
    """Write the model to ``path`` (a pickle) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "themes": model.themes,
        "pipeline": model.pipeline,
        "trained_on": model.trained_on,
        "skipped": model.skipped,
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(pickle.dumps(payload))
    partial.replace(path)
    return path


def load_model(path: Path) -> ThemeModel:
    """Read a model ``ptx themes train`` saved."""
    data = Path(path).read_bytes()
    try:
        payload = pickle.loads(data)  # noqa: S301 (a file the user's own training wrote)
    except Exception as exc:
        raise PtxError(f"{path} is not a model ptx can read ({exc}): train it again.") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise PtxError(f"{path} was written by another version of ptx: train it again.")
    return ThemeModel(
        tuple(payload["themes"]),
        payload["pipeline"],
        payload["trained_on"],
        tuple(payload["skipped"]),
        hashlib.sha256(data).hexdigest()[:16],
    )


def _truthy(value) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


def read_labelled(
    path: Path, labels: dict[str, str], text_column: str = "comment"
) -> tuple[list[str], list[tuple[str, ...]]]:
    """(texts, theme keys) from a labelled CSV file (see the module's note on its columns).

    ``labels``: theme key -> label, of the taxonomy the keys must come from."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if text_column not in frame:
        raise PtxError(
            f"{path} has no column {text_column!r}: name the text column with --text. "
            f"Columns: {', '.join(frame.columns)}."
        )
    by_name = {k.lower(): k for k in labels} | {v.lower(): k for k, v in labels.items()}
    keep = frame[text_column].str.strip() != ""
    frame = frame[keep]
    if "themes" in frame:
        keys = []
        for cell in frame["themes"]:
            names = [n.strip().lower() for n in cell.replace("|", ";").split(";") if n.strip()]
            unknown = [n for n in names if n not in by_name]
            if unknown:
                raise PtxError(
                    f"{path}: theme {unknown[0]!r} is not in the taxonomy; use one of "
                    f"{', '.join(labels)} (keys or labels)."
                )
            keys.append(tuple(dict.fromkeys(by_name[n] for n in names)))
    else:
        columns = {c: by_name[c.strip().lower()] for c in frame if c.strip().lower() in by_name}
        if not columns:
            raise PtxError(
                f"{path} has no theme columns: give a 'themes' column, or one column per "
                f"theme named by its key or label ({', '.join(labels)})."
            )
        keys = [
            tuple(dict.fromkeys(k for c, k in columns.items() if _truthy(row[c])))
            for _, row in frame.iterrows()
        ]
    return list(frame[text_column]), keys
