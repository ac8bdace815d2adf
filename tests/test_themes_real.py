"""Themes and sentiment scored against people's coding of real NHS comments (the shared files,
read in place), and a classifier trained on that coding used by the Comments facade."""

from __future__ import annotations

import csv

import pytest

import ptx
from ptx.cli import main
from ptx.theme_eval import evaluate, read_phase1, read_v6
from ptx.themes import load_taxonomy, model_path, tagger_for

TAXONOMY = load_taxonomy()


@pytest.fixture(scope="module")
def v6(shared_data):
    return read_v6(shared_data)


def _by_method(scores, task):
    return {s.method: s for s in scores if s.task == task}


def test_the_v6_split_is_by_date_without_overlap(v6):
    assert max(v6.train_dates) < min(v6.test_dates)
    assert len(v6.train_texts) > 2 * len(v6.test_texts) > 1000


def test_the_trained_classifier_beats_the_keywords_and_the_lexicon_helps_vader(v6):
    scores = evaluate(v6, TAXONOMY)
    for s in scores:
        assert 0 <= s.accuracy <= 1 and 0 <= s.macro_f1 <= 1
        assert s.per_class[["precision", "recall"]].stack().between(0, 1).all()
    themes = _by_method(scores, "themes")
    assert themes["Trained (TF-IDF + logistic)"].macro_f1 > themes["Keyword taxonomy"].macro_f1
    sentiment = _by_method(scores, "sentiment")
    assert (
        sentiment["VADER + health-care lexicon"].macro_f1
        >= sentiment["VADER (as shipped)"].macro_f1
    )
    assert set(sentiment["VADER (as shipped)"].per_class["class"]) == {
        "positive",
        "neutral",
        "negative",
    }


def test_phase1_is_split_by_trust(shared_data):
    data = read_phase1(shared_data)
    assert "scored on Trust C" in data.split
    assert len(data.train_texts) > 5000 and len(data.test_texts) > 4000
    assert all(len(k) <= 1 for k in data.test_themes)  # one label each, or none


def test_ptx_themes_train_saves_a_model_beside_the_config_that_ptx_then_uses(
    v6, tmp_path, demo_duckdb, capsys
):
    labelled = tmp_path / "coded.csv"
    with labelled.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["comment", "themes"])
        for text, keys in zip(v6.train_texts, v6.train_themes, strict=True):
            if keys is not None:
                writer.writerow([text, ";".join(keys)])
    config = tmp_path / "ptx.toml"
    config.write_text(f'[source]\nlocation = "{demo_duckdb}"\n')
    assert main(["themes", "train", str(labelled), "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "Trained on" in printed and str(model_path(config)) in printed
    assert model_path(config).is_file()
    tagger = tagger_for(config)
    assert tagger.model is not None and "trained" in tagger.method
    source = ptx.open_source(ptx.load_config(config))
    found = ptx.comments(source, themes="staff_attitude")
    assert "trained" in found.method and found.total > 0
