"""The themes taxonomy (an editable TOML file), its tagger and VADER's sentiment labels."""

from __future__ import annotations

import numpy as np
import pytest

from ptx.errors import ConfigError
from ptx.themes import (
    DEFAULT_TAXONOMY,
    Tagger,
    load_taxonomy,
    sentiment_labels,
    sentiment_scores,
    tagger_for,
    taxonomy_path,
    words,
)

TAXONOMY = load_taxonomy()


def test_the_default_taxonomy_models_the_nhs_framework():
    labels = TAXONOMY.labels
    assert len(labels) >= 11
    for expected in (
        "Staff attitude and manner",
        "Staffing levels",
        "Clinical care and competence",
        "Access and waiting",
        "Communication and involvement",
        "Continuity, coordination and discharge",
        "Medication and pain",
        "Environment, cleanliness and food",
        "Transport and parking",
        "Privacy, dignity and respect",
        "Positive experience overall",
    ):
        assert expected in labels.values()


@pytest.mark.parametrize(
    ("key", "example"), [(t.key, e) for t in TAXONOMY.themes for e in t.examples]
)
def test_every_example_of_the_file_is_tagged_with_its_theme(key, example):
    assert key in TAXONOMY.themes_of(example)


def test_words_keep_clinical_tokens_whole():
    assert words("Couldn’t fault A&E, 10/10; x-ray quick") == (
        "couldn't",
        "fault",
        "a&e",
        "10/10",
        "x-ray",
        "quick",
    )


def _write(tmp_path, body: str):
    path = tmp_path / "themes.toml"
    path.write_text(body)
    return load_taxonomy(path)


def test_keywords_phrases_stems_and_unless(tmp_path):
    taxonomy = _write(
        tmp_path,
        """
[themes.clean]
label = "Cleanliness"
keywords = ["clean*", "dirty", "hand gel"]
unless = ["clean bill of health"]
""",
    )
    assert taxonomy.themes_of("Very CLEANLINESS here") == ("clean",)
    assert taxonomy.themes_of("the hand  gel was empty") == ("clean",)  # any run of spaces
    assert taxonomy.themes_of("dirtyish") == ()  # whole words unless a stem
    assert taxonomy.themes_of("given a clean bill of health") == ()  # cancelled
    assert taxonomy.themes_of("") == ()


def test_a_theme_without_label_or_keywords_names_itself(tmp_path):
    with pytest.raises(ConfigError, match=r"\[themes.food\] needs a label"):
        _write(tmp_path, '[themes.food]\nkeywords = ["meal"]\n')
    with pytest.raises(ConfigError, match=r"\[themes.food\] needs keywords"):
        _write(tmp_path, '[themes.food]\nlabel = "Food"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        _write(tmp_path, "[themes.food\n")
    with pytest.raises(ConfigError, match="score from -4 to 4"):
        _write(tmp_path, '[sentiment.lexicon]\nslow = -9\n[themes.a]\nlabel="A"\nkeywords=["a"]\n')


def test_sentiment_thresholds_are_vaders_and_inclusive():
    labels = sentiment_labels(np.array([0.05, 0.049, -0.049, -0.05, 0.9, -0.9]))
    assert list(labels) == ["positive", "neutral", "neutral", "negative", "positive", "negative"]


def test_vader_reads_clear_comments_the_right_way():
    tagger = Tagger(TAXONOMY)
    tags = tagger.tag(["Excellent care, thank you so much", "Rude staff, awful experience", ""])
    assert tags.sentiment == ("positive", "negative", "neutral")


def test_the_lexicon_additions_change_the_score(tmp_path):
    plain = sentiment_scores(["I waited"])
    custom = _write(
        tmp_path,
        '[sentiment.lexicon]\nwaited = -2.0\n[themes.a]\nlabel = "A"\nkeywords = ["a"]\n',
    )
    assert plain[0] == 0.0 and sentiment_scores(["I waited"], custom)[0] < -0.05


def test_the_fingerprint_follows_the_file(tmp_path, monkeypatch):
    default = tagger_for(None)
    assert taxonomy_path(None) == DEFAULT_TAXONOMY
    path = tmp_path / "themes.toml"
    path.write_text(DEFAULT_TAXONOMY.read_text() + "\n# edited\n")
    monkeypatch.setenv("PTX_THEMES", str(path))
    edited = tagger_for(None)
    assert edited.fingerprint != default.fingerprint
    assert edited.labels == default.labels


def test_a_themes_file_beside_the_config_is_used(tmp_path, monkeypatch):
    (tmp_path / "ptx.toml").write_text("")
    (tmp_path / "themes.toml").write_text('[themes.x]\nlabel = "X"\nkeywords = ["x"]\n')
    monkeypatch.setenv("PTX_CONFIG", str(tmp_path / "ptx.toml"))
    assert tagger_for(None).labels == {"x": "X"}
