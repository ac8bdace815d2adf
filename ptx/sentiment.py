"""Sentiment of free-text comments: VADER's compound score.

VADER (Hutto and Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
Social Media Text", ICWSM 2014) scores a text from -1 (most negative) to +1 (most positive) with a
human-rated lexicon and rules for negation, intensifiers and punctuation. It reads English only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import numpy as np

# Words too common to say anything about what a comment is about.
_STOP = """a about after all also am an and any are as at be been being but by can could did do does
    doing don't for from get got had has have he her here him his how i i'm if in into is it it's
    just me more my no not nothing of on one or other our out so some than that the their them
    then there they this to too up us very was we were what when which who will with would you
    your"""
STOP_WORDS = frozenset(_STOP.split())


@cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(texts: Iterable[str]) -> np.ndarray:
    """VADER compound score of each text (-1 to +1)."""
    analyzer = _analyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts], dtype="float64")


def frequent_words(texts: Iterable[str], n: int = 6) -> list[str]:
    """The ``n`` most frequent words, leaving out stop words and words under three letters."""
    counts: Counter = Counter()
    for text in texts:
        words = set(re.findall(r"[a-z][a-z']+", text.lower())) - STOP_WORDS
        counts.update(w for w in words if len(w) >= 3)
    return [w for w, _ in counts.most_common(n)]
