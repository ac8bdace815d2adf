"""Themes and sentiment of patient comments: an editable taxonomy, VADER, and a trained model.

A comment gets zero or more themes and one sentiment (positive, neutral or negative):

- **themes** come from a taxonomy in a TOML file a hospital can edit (``ptx/themes.toml`` is
  the default, modelled on the NHS patient-experience qualitative framework; a ``themes.toml``
  beside the config, or the file ``PTX_THEMES`` names, replaces it). Each theme lists keywords
  and phrases, matched as whole words, and words that cancel it. Where a model trained on the
  hospital's own coding (``ptx themes train``, :mod:`ptx.theme_model`) sits beside the config,
  it assigns the themes instead.
- **sentiment** is VADER's compound score (see :mod:`ptx.sentiment`) read against the
  taxonomy's thresholds (VADER's recommended +/-0.05 by default), with the taxonomy's additions
  to VADER's lexicon for health-care wording. Nothing is downloaded: VADER's lexicon ships in
  its package.

A :class:`Tagger` carries a ``fingerprint`` of everything that decides its answers (the
taxonomy file's content, the model file's), so tags stored with one can be told apart from
another's (see :mod:`ptx.comments`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ptx.config import Config, read_settings_text
from ptx.errors import ConfigError

THEMES_ENV = "PTX_THEMES"
THEMES_FILE = "themes.toml"  # beside the config (or in the current folder without one)
MODEL_FILE = "themes-model.pkl"  # what `ptx themes train` writes beside the config
DEFAULT_TAXONOMY = Path(__file__).with_name("themes.toml")
SENTIMENTS = ("positive", "neutral", "negative")
MAX_THEMES = 62  # each a bit of a signed 64-bit integer in the comment index
# VADER's authors' thresholds for the compound score (Hutto and Gilbert 2014, the package's
# README): >= 0.05 positive, <= -0.05 negative.
VADER_POSITIVE, VADER_NEGATIVE = 0.05, -0.05
VADER_LEXICON_RANGE = (-4.0, 4.0)


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy."""

    key: str
    label: str
    keywords: tuple[str, ...]
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether a comment is in the theme: a keyword found, and no word that cancels it."""
        return self.key in _Index.of(Taxonomy((self,))).themes_of(text)


# Words as the taxonomy reads them: letters and digits, joined by an apostrophe, hyphen,
# ampersand or slash ("couldn't", "x-ray", "a&e", "10/10").
TOKEN = re.compile(r"[^\W_]+(?:['&/-][^\W_]+)*")


def words(text: str) -> tuple[str, ...]:
    """The words of a text, lower case, curly apostrophes read as straight ones."""
    return tuple(TOKEN.findall(text.lower().replace("\u2019", "'")))


class _Index:
    """Every keyword of a taxonomy as a tuple of words -> the themes it is a keyword of, so
    that a comment is read once, word by word, for all themes (a regular expression per theme
    costs a millisecond a comment)."""

    def __init__(self, taxonomy: Taxonomy):
        self.keys = [t.key for t in taxonomy.themes]
        self.exact: dict[tuple[str, ...], set[int]] = {}
        self.prefix: dict[tuple[str, ...], set[int]] = {}  # last word a prefix ("clean*")
        self.cancel: dict[tuple[str, ...], set[int]] = {}
        self.cancel_prefix: dict[tuple[str, ...], set[int]] = {}
        for i, theme in enumerate(taxonomy.themes):
            for word in theme.keywords:
                into = self.prefix if word.endswith("*") else self.exact
                into.setdefault(words(word.rstrip("*")), set()).add(i)
            for word in theme.unless:
                into = self.cancel_prefix if word.endswith("*") else self.cancel
                into.setdefault(words(word.rstrip("*")), set()).add(i)
        grams = [*self.exact, *self.prefix, *self.cancel, *self.cancel_prefix]
        self.longest = max((len(g) for g in grams), default=1)

    @staticmethod
    @cache
    def of(taxonomy: Taxonomy) -> _Index:
        return _Index(taxonomy)

    def _found(self, tokens, exact, prefix) -> set[int]:
        found: set[int] = set()
        for i in range(len(tokens)):
            for n in range(1, min(self.longest, len(tokens) - i) + 1):
                gram = tokens[i : i + n]
                found |= exact.get(gram, set())
                if prefix:
                    head, last = gram[:-1], gram[-1]
                    for end in range(1, len(last) + 1):
                        found |= prefix.get((*head, last[:end]), set())
        return found

    def themes_of(self, text: str) -> tuple[str, ...]:
        if not text:
            return ()
        tokens = words(text)
        found = self._found(tokens, self.exact, self.prefix)
        if found and (self.cancel or self.cancel_prefix):
            found -= self._found(tokens, self.cancel, self.cancel_prefix)
        return tuple(self.keys[i] for i in sorted(found))


@dataclass(frozen=True)
class Taxonomy:
    """The themes, the sentiment thresholds and lexicon additions, and where they came from."""

    themes: tuple[Theme, ...]
    positive: float = VADER_POSITIVE
    negative: float = VADER_NEGATIVE
    lexicon: tuple[tuple[str, float], ...] = ()
    path: str = ""
    digest: str = ""  # of the file's text

    @property
    def labels(self) -> dict[str, str]:
        """theme key -> label, in the file's order."""
        return {t.key: t.label for t in self.themes}

    def themes_of(self, text: str) -> tuple[str, ...]:
        """The keys of the themes a comment is in, in the taxonomy's order."""
        return _Index.of(self).themes_of(text)


def _strings(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of words or phrases in quotes.")
    return tuple(v.strip() for v in value)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy file (the default one when ``path`` is None).

    Raises
    ------
    ConfigError
        The file is missing, not TOML, or a theme lacks a label or keywords; the message names
        the theme and the fix.
    """
    path = Path(path) if path is not None else DEFAULT_TAXONOMY
    if not path.is_file():
        raise ConfigError(f"Themes file {path} does not exist.")
    text = read_settings_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    themes = []
    for key, spec in (data.get("themes") or {}).items():
        where = f"{path}: [themes.{key}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise ConfigError(f'{where} needs a label, e.g. label = "Staff attitude".')
        if "keywords" not in spec:
            raise ConfigError(f'{where} needs keywords, e.g. keywords = ["kind", "rude"].')
        themes.append(
            Theme(
                key=key,
                label=spec["label"],
                keywords=_strings(spec["keywords"], f"{where} keywords"),
                unless=_strings(spec.get("unless", []), f"{where} unless"),
                examples=_strings(spec.get("examples", []), f"{where} examples"),
            )
        )
    if not themes:
        raise ConfigError(f"{path} defines no themes: add [themes.<key>] sections.")
    if len(themes) > MAX_THEMES:
        raise ConfigError(f"{path} defines {len(themes)} themes; ptx takes at most {MAX_THEMES}.")
    sentiment = data.get("sentiment") or {}
    positive = float(sentiment.get("positive", VADER_POSITIVE))
    negative = float(sentiment.get("negative", VADER_NEGATIVE))
    if not -1 <= negative <= positive <= 1:
        raise ConfigError(f"{path}: [sentiment] needs -1 <= negative <= positive <= 1.")
    lexicon = []
    for word, score in (sentiment.get("lexicon") or {}).items():
        low, high = VADER_LEXICON_RANGE
        if not isinstance(score, int | float) or not low <= score <= high:
            raise ConfigError(f"{path}: [sentiment.lexicon] {word!r} needs a score from -4 to 4.")
        lexicon.append((word.lower(), float(score)))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Taxonomy(tuple(themes), positive, negative, tuple(lexicon), str(path), digest)


def settings_folder(config: Config | Path | None = None) -> Path:
    """Where ptx keeps what belongs beside the config (the themes file, the trained model,
    the flags): the folder of the config file (a :class:`Config`'s, or a path to one), else
    of ``PTX_CONFIG``, else the current folder."""
    if isinstance(config, Path):
        return config.resolve().parent
    if config is not None and config.path is not None:
        return Path(config.path).resolve().parent
    env = os.environ.get("PTX_CONFIG")
    return Path(env).resolve().parent if env else Path.cwd()


def taxonomy_path(config: Config | Path | None = None) -> Path:
    """The taxonomy in use: ``PTX_THEMES``, else ``themes.toml`` beside the config, else the
    default that ships with ptx."""
    env = os.environ.get(THEMES_ENV)
    if env:
        return Path(env)
    beside = settings_folder(config) / THEMES_FILE
    return beside if beside.is_file() else DEFAULT_TAXONOMY


def model_path(config: Config | Path | None = None) -> Path:
    """Where ``ptx themes train`` saves a model (and where ptx looks for one)."""
    return settings_folder(config) / MODEL_FILE


@cache
def _analyzer(lexicon: tuple[tuple[str, float], ...]):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(dict(lexicon))
    return analyzer


def sentiment_scores(texts: Iterable[str], taxonomy: Taxonomy | None = None) -> np.ndarray:
    """VADER's compound score of each text, with the taxonomy's lexicon additions."""
    analyzer = _analyzer(taxonomy.lexicon if taxonomy else ())
    return np.array([analyzer.polarity_scores(t or "")["compound"] for t in texts], dtype="float64")


def sentiment_labels(scores: np.ndarray, taxonomy: Taxonomy | None = None) -> np.ndarray:
    """positive / neutral / negative for each compound score, at the taxonomy's thresholds."""
    positive = taxonomy.positive if taxonomy else VADER_POSITIVE
    negative = taxonomy.negative if taxonomy else VADER_NEGATIVE
    scores = np.asarray(scores, dtype="float64")
    return np.where(
        scores >= positive, "positive", np.where(scores <= negative, "negative", "neutral")
    ).astype(object)


@dataclass(frozen=True)
class Tags:
    """The tags of a batch of comments, in their order."""

    themes: tuple[tuple[str, ...], ...]
    sentiment: tuple[str, ...]
    score: tuple[float, ...]


@dataclass(frozen=True)
class Tagger:
    """Tags comments: the taxonomy's keywords, or a trained model where there is one."""

    taxonomy: Taxonomy
    model: object | None = None  # a ptx.theme_model.ThemeModel
    model_digest: str = ""

    @property
    def fingerprint(self) -> str:
        """What decides the tags: the taxonomy file's content and the model's, if any."""
        return f"{self.taxonomy.digest}:{self.model_digest or 'keywords'}"

    @property
    def method(self) -> str:
        """How themes are assigned, in words."""
        if self.model is not None:
            return "themes from a model trained on the hospital's own coding"
        return "themes from the keywords of the taxonomy"

    @property
    def labels(self) -> dict[str, str]:
        return self.taxonomy.labels

    def themes(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        if self.model is not None:
            return self.model.predict(texts)
        return [self.taxonomy.themes_of(t) for t in texts]

    def tag(self, texts: Sequence[str]) -> Tags:
        texts = [t if isinstance(t, str) else "" for t in texts]
        scores = sentiment_scores(texts, self.taxonomy)
        return Tags(
            tuple(self.themes(texts)),
            tuple(sentiment_labels(scores, self.taxonomy)),
            tuple(float(s) for s in scores),
        )


def tagger_for(config: Config | Path | None = None) -> Tagger:
    """The tagger a source's config gives: its taxonomy, and its trained model if saved."""
    taxonomy = load_taxonomy(taxonomy_path(config))
    path = model_path(config)
    if not path.is_file():
        return Tagger(taxonomy)
    from ptx.theme_model import load_model

    model = load_model(path)
    unknown = set(model.themes) - set(taxonomy.labels)
    if unknown:
        raise ConfigError(
            f"The trained model {path} knows themes the taxonomy {taxonomy.path} does not "
            f"({', '.join(sorted(unknown))}): train it again, or delete it to use keywords."
        )
    return Tagger(taxonomy, model, model.digest)
