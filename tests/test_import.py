"""Real exports in, right numbers out: every hazard of issue #11 in a hand-made file.

Each test writes an export as a hospital's system would, maps it with a few lines of ptx.toml,
imports it as a user would (through the config, into the import cache or with `ptx import`) and
checks the exact figures, counted by hand in the test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ptx
from ptx import query
from ptx.cli import main
from ptx.feedback import fft_summary, nps_summary

FFT_WORDS = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]
OLD_WORDS = [
    "Extremely likely",
    "Likely",
    "Neither likely nor unlikely",
    "Unlikely",
    "Extremely unlikely",
    "Don't know",
]


def load(tmp_path: Path, toml: str, files: dict[str, str | bytes]) -> ptx.Source:
    """Write the export files and ptx.toml into a folder and open it as a user would."""
    folder = tmp_path / "export"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    config = tmp_path / "ptx.toml"
    config.write_text(f'[source]\nlocation = "{folder.as_posix()}"\n{toml}', encoding="utf-8")
    return ptx.open_source(ptx.load_config(config))


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    frame = pd.DataFrame(rows, columns=header)
    return frame.to_csv(index=False)


def fft(source: ptx.Source, by: tuple[str, ...] = ()) -> pd.DataFrame:
    counts = query.feedback_counts(source, ptx.Filters(), by=by)
    return fft_summary(counts, by=list(by))


def overall(source: ptx.Source) -> tuple[float, int]:
    row = fft(source).iloc[0]
    return round(float(row["pct_positive"]), 2), int(row["responses"])


def volume(source: ptx.Source) -> int:
    return int(query.feedback_counts(source, ptx.Filters(), by=())["responses"].sum())


def report(source: ptx.Source):
    r = ptx.validation_report(source)
    assert (r.tables.rows_read == r.tables.rows_loaded + r.tables.rows_quarantined).all()
    return r


SURVEY_TOML = """
[tables.feedback]
name = "survey.csv"
id = "generate"

[tables.feedback.columns]
received_date = "Date"
rating = "Answer"
comment = "Why"

[tables.feedback.constants]
department_id = "Clinic"
channel = "Online survey"
"""


def survey(words: list[str], dates: list[str] | None = None, comments=None) -> str:
    dates = dates or [f"2026-0{1 + i % 9}-1{i % 10}" for i in range(len(words))]
    comments = comments or [""] * len(words)
    return csv_text(
        ["Date", "Answer", "Why"], [list(r) for r in zip(dates, words, comments, strict=True)]
    )


# -- 1. answer words ---------------------------------------------------------------------------


@pytest.mark.parametrize("wording", [FFT_WORDS, OLD_WORDS], ids=["current", "earlier"])
def test_fft_answer_words_are_read_with_the_ready_label_set(tmp_path, wording):
    # 5 very good, 3 good, 1 neither, 1 poor, 2 very poor, 1 don't know: 8 / 13 positive.
    counts = [5, 3, 1, 1, 2, 1]
    words = [w for w, n in zip(wording, counts, strict=True) for _ in range(n)]
    words = [w.upper() if i % 3 == 0 else f"  {w.lower()} " for i, w in enumerate(words)]
    source = load(
        tmp_path,
        SURVEY_TOML + '\n[tables.feedback.values.rating]\nlabels = "fft"\n',
        {"survey.csv": survey(words)},
    )
    assert overall(source) == (round(100 * 8 / 13, 2), 13)
    r = report(source)
    assert r.ok
    values = r.values[r.values["column"] == "rating"]
    # Every source value is listed with what it became, its label, count and share.
    first = values[values["label"] == "Very good"]
    assert first["rows"].sum() == 5 and set(first["model_value"]) == {"1"}
    assert values["rows"].sum() == 13
    assert any("rating_scale set to 'fft5'" in n for n in r.notes)


def test_answer_words_without_a_mapping_say_how_to_map_them(tmp_path):
    source = load(
        tmp_path,
        SURVEY_TOML.replace('id = "generate"', 'id = "generate"'),
        {"survey.csv": survey(["Very good", "Good", "Poor"])},
    )
    r = report(source)
    reasons = r.reasons.set_index("reason")
    (reason,) = [x for x in reasons.index if x.startswith("Answer: value is not a whole number")]
    assert 'labels = "fft"' in reason and reasons.at[reason, "rows"] == 3
    assert reasons.at[reason, "example"] in {"Very good", "Good", "Poor"}


# -- 2. reversed codes -------------------------------------------------------------------------

GOOD_WORDS = ["Wonderful kind staff, thank you", "Excellent care, really happy", "Great service"]
BAD_WORDS = ["Rude staff and awful wait", "Terrible, nobody helped me", "Horrible experience"]


def reversed_export(n_good: int = 30, n_bad: int = 24) -> str:
    """Codes 5 = best: n_good fives with happy comments, n_bad ones with unhappy comments."""
    codes = ["5"] * n_good + ["1"] * n_bad + ["3"] * 6
    comments = [GOOD_WORDS[i % 3] for i in range(n_good)]
    comments += [BAD_WORDS[i % 3] for i in range(n_bad)] + [""] * 6
    return survey(codes, comments=comments)


def test_reversed_codes_declared_reverse_read_right(tmp_path):
    source = load(
        tmp_path,
        SURVEY_TOML + 'rating_scale = "fft5"\n[tables.feedback.values.rating]\nreverse = true\n',
        {"survey.csv": reversed_export()},
    )
    assert overall(source) == (round(100 * 30 / 60, 2), 60)
    row = fft(source).iloc[0]
    assert int(row["negative"]) == 24
    r = report(source)
    assert not [w for w in r.warnings if "reversed" in w]
    values = r.values.set_index("source_value")
    assert (values.at["5", "model_value"], values.at["5", "label"]) == ("1", "Very good")


def test_reversed_codes_not_declared_are_warned_about_not_inverted_silently(tmp_path):
    source = load(
        tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": reversed_export()}
    )
    # Read as written: 5 = very poor. The figures follow the mapping ...
    assert overall(source) == (round(100 * 24 / 60, 2), 60)
    r = report(source)
    # ... and the report says the comments disagree with it, and how to fix it.
    (warning,) = [w for w in r.warnings if "look reversed" in w]
    assert "reverse = true" in warning
    assert any("frequent words" in n for n in r.notes)
    # The value table shows 5 read as Very poor: the inversion is visible at a glance.
    values = r.values.set_index("source_value")
    assert values.at["5", "label"] == "Very poor" and values.at["5", "rows"] == 30


def test_explicit_value_map_wins_over_the_label_set(tmp_path):
    toml = SURVEY_TOML + (
        '\n[tables.feedback.values.rating]\nlabels = "fft"\n'
        'map = { "Excellent" = 1, "Awful" = 5 }\n'
    )
    words = ["Excellent", "Excellent", "Good", "Awful"]
    source = load(tmp_path, toml, {"survey.csv": survey(words)})
    assert overall(source) == (75.0, 4)


# -- 3. missing-value tokens and blank ratings -------------------------------------------------


def test_missing_tokens_and_blank_ratings(tmp_path):
    """8 'very good' + 2 blank ratings is 100 % positive of 8, and volume 10 (the bug: 80 % of
    10). 'NA' demographics are not a category called NA."""
    toml = (
        SURVEY_TOML.replace('comment = "Why"', 'comment = "Why"\nage_band = "Age"')
        + 'rating_scale = "fft5"\n'
    )
    rows = [["2026-03-0" + str(1 + i % 9), "1", "fine", "18-34"] for i in range(8)]
    rows += [["2026-03-05", "", "comment only", "NA"], ["2026-03-06", "N/A", "Not Available", "-"]]
    source = load(tmp_path, toml, {"survey.csv": csv_text(["Date", "Answer", "Why", "Age"], rows)})
    assert overall(source) == (100.0, 8)
    assert volume(source) == 10
    assert report(source).ok
    counts = query.feedback_counts(source, ptx.Filters(), by=("age_band",))
    assert set(counts["age_band"].dropna()) == {"18-34"}
    assert counts.loc[counts["age_band"].isna(), "responses"].sum() == 2
    breakdown = ptx.breakdown(source, "fft_pct_positive", "age_band", ptx.Filters())
    assert "NA" not in breakdown.table().to_string()


def test_nps_blank_ratings_do_not_count(tmp_path):
    toml = SURVEY_TOML + 'rating_scale = "ltr11"\n'
    words = ["10", "9", "8", "3", "", "NA", "n/a"]
    source = load(tmp_path, toml, {"survey.csv": survey(words)})
    counts = query.feedback_counts(source, ptx.Filters(), by=())
    row = nps_summary(counts).iloc[0]
    assert (int(row["responses"]), round(float(row["nps"]), 2)) == (4, 25.0)
    assert volume(source) == 7


def test_missing_tokens_are_configurable_per_column(tmp_path):
    toml = (
        '[import]\nmissing = ["", "NA"]\n'
        + SURVEY_TOML
        + 'rating_scale = "fft5"\n[tables.feedback.values.rating]\nmissing = ["", "7", "NA"]\n'
    )
    words = ["1", "2", "7", "NA", "4"]
    source = load(tmp_path, toml, {"survey.csv": survey(words, comments=["-"] * 5)})
    assert overall(source) == (round(100 * 2 / 3, 2), 3)
    # "-" is not missing under this [import] list: the comments are kept as written.
    comments = query.feedback_counts(source, ptx.Filters(), by=())
    assert volume(source) == 5 and len(comments)
    values = report(source).values.set_index("source_value")
    assert values.at["7", "label"] == "(missing)"


# -- 4. generated ids and response grouping ----------------------------------------------------


def test_generated_ids_are_stable_and_repeated_rows_are_kept(tmp_path):
    words = ["Very good", "Very good", "Good"]
    dates = ["2026-03-01", "2026-03-01", "2026-03-02"]  # the first two rows are identical
    toml = SURVEY_TOML + '\n[tables.feedback.values.rating]\nlabels = "fft"\n'
    first = load(tmp_path / "a", toml, {"survey.csv": survey(words, dates)})
    second = load(tmp_path / "b", toml, {"survey.csv": survey(words, dates)})

    def ids(source):
        with source.engine.connect() as conn:
            t = source.table("feedback")
            return sorted(r[0] for r in conn.execute(t.select().with_only_columns(t.c.feedback_id)))

    assert ids(first) == ids(second) and len(set(ids(first))) == 3
    assert overall(first) == (100.0, 3)
    assert report(first).ok  # no duplicate-id warning


COMMENTS_TOML = """
[tables.feedback]
name = "comments.csv"
response_key = ["Respondent"]
[tables.feedback.columns]
received_date = "Date"
rating = "Answer"
comment = "Comment"
[tables.feedback.constants]
department_id = "Ward 1"
channel = "FFT"
rating_scale = "fft5"
"""


def test_rows_of_one_response_count_once_and_keep_every_comment(tmp_path):
    header = ["Respondent", "Date", "Answer", "Question", "Comment"]
    rows = [
        ["r1", "2026-03-01", "1", "What was good?", "Kind nurses"],
        ["r1", "2026-03-01", "1", "What could be better?", "Parking"],
        ["r2", "2026-03-02", "4", "What was good?", "Nothing"],
        ["r2", "2026-03-02", "", "What could be better?", "Shorter waits"],
        ["r3", "2026-03-03", "2", "What was good?", "Did not answer"],
        ["r4", "2026-03-04", "1", "What was good?", "x"],
        ["r4", "2026-03-04", "5", "What could be better?", "y"],  # disagrees: quarantined
    ]
    toml = COMMENTS_TOML
    source = load(tmp_path, toml, {"comments.csv": csv_text(header, rows)})
    # Without grouping r1 would count twice: 3 of 4 positive. Grouped: r1, r2, r3 -> 2 of 3.
    assert overall(source) == (round(100 * 2 / 3, 2), 3)
    assert volume(source) == 3
    with source.engine.connect() as conn:
        t = source.table("feedback")
        comments = dict(
            conn.execute(t.select().with_only_columns(t.c.feedback_id, t.c.comment)).all()
        )
    assert comments["r1"] == "Kind nurses\n\nParking"
    assert comments["r2"] == "Nothing\n\nShorter waits"
    assert comments["r3"] is None
    r = report(source)
    fb = r.tables.set_index("table").loc["feedback"]
    assert (fb.rows_read, fb.rows_loaded, fb.rows_quarantined, fb.records) == (7, 5, 2, 3)
    assert "disagree on rating: 1, 5" in " ".join(r.reasons["reason"])


# -- 5. no hierarchy ---------------------------------------------------------------------------


def test_a_survey_only_export_needs_no_departments_file(tmp_path):
    toml = SURVEY_TOML.replace(
        'received_date = "Date"', 'received_date = "Date"\ndepartment_id = "Service"'
    ).replace('department_id = "Clinic"\n', "")
    toml += '\n[tables.feedback.values.rating]\nlabels = "fft"\n[hierarchy]\nsite = "Riverside"\n'
    header = ["Date", "Answer", "Why", "Service"]
    rows = [["2026-03-01", "Very good", "", "Physio"], ["2026-03-02", "Poor", "", "Podiatry"]]
    source = load(tmp_path, toml, {"survey.csv": csv_text(header, rows)})
    deps = query.departments(source)
    assert sorted(deps["department_name"]) == ["Physio", "Podiatry"]
    assert set(deps["site"]) == {"Riverside"} and set(deps["division"]) == {"All divisions"}
    assert overall(source) == (50.0, 2)
    assert any("no departments file" in n for n in report(source).notes)


def test_a_flat_departments_file_gets_one_site_and_division(tmp_path):
    departments = csv_text(["department_id", "department_name"], [["P", "Physio"]])
    source = load(
        tmp_path,
        SURVEY_TOML.replace('"Clinic"', '"P"')
        + '\n[tables.feedback.values.rating]\nlabels = "fft"\n',
        {"survey.csv": survey(["Good"]), "departments.csv": departments},
    )
    deps = query.departments(source)
    assert (deps.at[0, "site"], deps.at[0, "division"]) == ("All sites", "All divisions")


# -- 6. dates per row --------------------------------------------------------------------------


def stored_dates(source: ptx.Source) -> dict[str, date]:
    with source.engine.connect() as conn:
        t = source.table("feedback")
        return dict(
            conn.execute(t.select().with_only_columns(t.c.comment, t.c.received_date)).all()
        )


def test_mixed_day_first_and_month_first_rows_keep_their_days(tmp_path):
    # A day-first block then a month-first block (two systems' exports pasted together); the
    # ambiguous rows in each block read as the rows around them. Each comment names the truth.
    rows = [
        ("03/10/2021", "2021-10-03"),  # ambiguous, in the day-first block
        ("17/10/2021", "2021-10-17"),
        ("05/11/2021", "2021-11-05"),  # ambiguous
        ("30/11/2021", "2021-11-30"),
        ("10/17/2021", "2021-10-17"),  # the month-first block
        ("10/03/2021", "2021-10-03"),  # ambiguous, between two month-first rows
        ("11/30/2021", "2021-11-30"),
        ("11/05/2021", "2021-11-05"),  # ambiguous
        ("2021-12-01T09:30:00", "2021-12-01"),
        ("44562", "2022-01-01"),  # an Excel serial day number
        ("12/12/2021", "2021-12-12"),  # both readings are the same day
    ]
    text = survey(["1"] * len(rows), [d for d, _ in rows], [t for _, t in rows])
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": text})
    got = {k: v.isoformat() for k, v in stored_dates(source).items()}
    assert got == {t: t for _, t in rows}
    r = report(source)
    assert r.ok
    assert any("could be day-first or month-first" in n for n in r.notes)


def test_an_ambiguous_date_between_two_formats_is_not_guessed(tmp_path):
    # 10/03/2021 sits between a day-first and a month-first row, as near to each, in a column
    # with as many of each: nothing says which it is.
    dates = ["30/11/2021", "17/10/2021", "10/03/2021", "10/17/2021", "11/30/2021"]
    text = survey(["1"] * 5, dates, list("abcde"))
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": text})
    (reason,) = ptx.quarantined_rows(source)["reason"]
    assert "could be 10 March or 3 October and nothing in the file says which" in reason


def test_bad_dates_are_quarantined_with_their_reason(tmp_path):
    dates = ["2026-03-01", "########", "31/02/2024", "03/04/22", "yesterday"]
    text = survey(["1"] * 5, dates, ["ok", "a", "b", "c", "d"])
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": text})
    r = report(source)
    fb = r.tables.set_index("table").loc["feedback"]
    assert (fb.rows_read, fb.rows_loaded, fb.rows_quarantined) == (5, 1, 4)
    text = " | ".join(ptx.quarantined_rows(source)["reason"])
    assert "too narrow" in text and "not a real date" in text and "4 digits" in text


def test_ambiguous_dates_with_nothing_to_tell_are_not_guessed(tmp_path):
    text = survey(["1", "1"], ["03/04/2026", "05/06/2026"], ["a", "b"])
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": text})
    assert volume(source) == 0
    assert "nothing in the file says which" in " ".join(ptx.quarantined_rows(source)["reason"])


# -- 7. spreadsheets and encodings -------------------------------------------------------------


def test_xlsx_named_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["not the data"])
    sheet = book.create_sheet("Responses")
    sheet.append(["Date", "Answer", "Why"])
    sheet.append([pd.Timestamp("2026-03-01").to_pydatetime(), "Very good", "Lovely"])
    sheet.append(["2026-03-02", "Poor", "Slow"])
    sheet.append([45000, 1.0, "serial date, code as a float"])  # 45000 = 2023-03-15
    folder = tmp_path / "export"
    folder.mkdir()
    book.save(folder / "survey.xlsx")
    toml = SURVEY_TOML.replace('"survey.csv"', '"survey.xlsx"\nsheet = "Responses"')
    toml += '\n[tables.feedback.values.rating]\nlabels = "fft"\n'
    source = load(tmp_path, toml, {})
    assert overall(source) == (round(100 * 2 / 3, 2), 3)
    assert stored_dates(source)["serial date, code as a float"] == date(2023, 3, 15)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Caf\u00e9 staff were kind".encode("cp1252"), "Caf\u00e9 staff were kind"),
        ("don\u2019t wait".encode().decode("cp1252").encode(), "don\u2019t wait"),  # mojibake
        ("Caf\u00e9 \u00a3".encode(), "Caf\u00e9 \u00a3"),  # real accents are left alone
    ],
    ids=["cp1252", "mojibake", "utf-8"],
)
def test_encodings_are_read_or_repaired(tmp_path, cell, expected):
    body = b"\xef\xbb\xbfDate,Answer,Why\r\n2026-03-01,1," + cell + b"\r\n"  # BOM, CRLF
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": body})
    assert list(stored_dates(source)) == [expected]
    assert report(source).ok


# -- 8. the import command and the ready mappings ----------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_import(tmp_path, capsys, *args) -> tuple[int, str, ptx.Source]:
    target = tmp_path / "out.duckdb"
    code = main(["import", *map(str, args), "--to", str(target)])
    out = capsys.readouterr().out
    return code, out, ptx.open_source(ptx.load_config(location=str(target)))


def test_ptx_import_gp_survey_example(tmp_path, capsys):
    folder = EXAMPLES / "gp-fft-survey"
    code, out, source = run_import(
        tmp_path, capsys, folder / "survey.csv", "--config", folder / "ptx.toml"
    )
    raw = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    answer = raw["Overall, how was your experience of our service?"].str.strip().str.lower()
    rated = answer.isin([w.lower() for w in FFT_WORDS])
    positive = answer.isin(["very good", "good"])
    assert code == 0 and "Result: OK" in out and "Answer values as read" in out
    assert overall(source) == (round(100 * positive.sum() / rated.sum(), 2), int(rated.sum()))
    assert volume(source) == len(raw)
    assert list(query.departments(source)["site"]) == ["Riverside Surgery"]
    # Day-first timestamps: every row's month is September or October 2026.
    months = {d.strftime("%Y-%m") for d in stored_dates(source).values()}
    assert months == {"2026-09", "2026-10"}


def test_ptx_import_complaints_example(tmp_path, capsys):
    folder = EXAMPLES / "complaints-export"
    code, out, source = run_import(
        tmp_path, capsys, folder / "complaints.csv", "--config", folder / "ptx.toml"
    )
    assert code == 0, out
    raw = pd.read_csv(folder / "complaints.csv", dtype=str, keep_default_na=False)
    with source.engine.connect() as conn:
        t = source.table("complaints")
        got = pd.DataFrame(conn.execute(t.select()).mappings().all())
    assert len(got) == len(raw)
    assert set(got["outcome"].dropna()) <= {"upheld", "partially upheld", "not upheld", "withdrawn"}
    assert got["outcome"].isna().sum() == (raw["Outcome"] == "").sum()
    assert "Privacy, dignity and wellbeing" in set(got["subject"])
    assert not source.has("feedback")


def test_validate_prints_the_same_report_as_import(tmp_path, capsys):
    folder = EXAMPLES / "gp-fft-survey"
    _, out, source = run_import(
        tmp_path, capsys, folder / "survey.csv", "--config", folder / "ptx.toml"
    )
    assert main(["validate", str(tmp_path / "out.duckdb")]) == 0
    validated = capsys.readouterr().out
    assert validated.split("Result:")[0].split("\n", 1)[1] in out


# -- 9. property: relabelling or reversing declared in the mapping changes nothing -------------


@settings(max_examples=25)  # each example imports two sources
@given(
    codes=st.lists(st.sampled_from(["1", "2", "3", "4", "5", "6", ""]), min_size=1, max_size=40),
    how=st.sampled_from(["words", "old words", "reversed"]),
)
def test_declared_relabelling_gives_the_same_kpis(tmp_path_factory, codes, how):
    base = tmp_path_factory.mktemp("prop")
    original = load(
        base / "o", SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": survey(codes)}
    )
    if how == "reversed":
        written = [str(6 - int(c)) if c in "12345" and c else c for c in codes]
        toml = (
            SURVEY_TOML + 'rating_scale = "fft5"\n[tables.feedback.values.rating]\nreverse = true\n'
        )
    else:
        words = FFT_WORDS if how == "words" else OLD_WORDS
        written = [words[int(c) - 1] if c else "" for c in codes]
        toml = SURVEY_TOML + '\n[tables.feedback.values.rating]\nlabels = "fft"\n'
    relabelled = load(base / "r", toml, {"survey.csv": survey(written)})
    pd.testing.assert_frame_equal(fft(original), fft(relabelled))
    assert volume(original) == volume(relabelled) == len(codes)


def test_quarantined_import_rows_keep_their_raw_text(tmp_path):
    source = load(
        tmp_path,
        SURVEY_TOML + 'rating_scale = "fft5"\n',
        {"survey.csv": survey(["1", "99999999999999999999999", "inf"])},
    )
    rows = ptx.quarantined_rows(source)
    assert len(rows) == 2
    assert {json.loads(d)["Answer"] for d in rows["data"]} == {"99999999999999999999999", "inf"}


# -- 10. regressions found in review -----------------------------------------------------------


def test_a_failed_import_leaves_the_target_as_it_was(tmp_path, capsys):
    folder = EXAMPLES / "gp-fft-survey"
    code, _, source = run_import(
        tmp_path, capsys, folder / "survey.csv", "--config", folder / "ptx.toml"
    )
    before = volume(source)
    source.dispose()
    broken = tmp_path / "broken.csv"
    broken.write_text("nothing,useful\n1,2\n")
    assert main(["import", str(broken), "--to", str(tmp_path / "out.duckdb")]) == 2
    assert "has no column" in capsys.readouterr().err
    again = ptx.open_source(tmp_path / "out.duckdb")
    assert volume(again) == before == 53
    assert not list(tmp_path.glob(".*partial*"))


def test_reverse_turns_codes_around_but_not_answer_words(tmp_path):
    toml = SURVEY_TOML + '\n[tables.feedback.values.rating]\nlabels = "fft"\nreverse = true\n'
    source = load(tmp_path, toml, {"survey.csv": survey(["Very good", "5", "1"])})
    # "Very good" is 1 whatever the codes do; the codes 5 and 1 are turned around (5 = best).
    row = fft(source).iloc[0]
    assert (int(row["positive"]), int(row["negative"]), int(row["responses"])) == (2, 1, 3)


def test_response_keys_are_read_like_every_other_value(tmp_path):
    header = ["Respondent", "Date", "Answer", "Comment"]
    rows = [
        ["r1", "2026-03-01", "1", "a"],
        ["r1 ", "2026-03-01", "", "b"],  # the same respondent, with a trailing space
        ["NA", "2026-03-02", "1", "c"],  # no respondent: its rows cannot be told apart
        ["-", "2026-03-03", "5", "d"],
        ["N/A", "2026-03-04", "4", "e"],
    ]
    toml = COMMENTS_TOML
    source = load(tmp_path, toml, {"comments.csv": csv_text(header, rows)})
    assert volume(source) == 1
    fb = report(source).tables.set_index("table").loc["feedback"]
    assert (fb.rows_read, fb.rows_loaded, fb.rows_quarantined, fb.records) == (5, 2, 3, 1)


def test_a_response_key_with_every_value_missing_is_reported_not_a_crash(tmp_path, capsys):
    export = tmp_path / "x.csv"
    export.write_text("Respondent,Date,Answer\n,2026-03-01,1\nNA,2026-03-02,2\n")
    config = tmp_path / "ptx.toml"
    config.write_text(
        '[tables.feedback]\nresponse_key = ["Respondent"]\n[tables.feedback.columns]\n'
        'received_date = "Date"\nrating = "Answer"\n[tables.feedback.constants]\n'
        'department_id = "W"\nchannel = "FFT"\nrating_scale = "fft5"\n'
    )
    code = main(
        ["import", str(export), "--config", str(config), "--to", str(tmp_path / "o.duckdb")]
    )
    out = capsys.readouterr().out
    assert code == 1 and "2 row(s) quarantined" in out and "nothing to show" in out


def test_a_mapped_file_that_is_not_there_is_an_error(tmp_path):
    toml = SURVEY_TOML + 'rating_scale = "fft5"\n[tables.complaints]\nname = "complaint.csv"\n'
    with pytest.raises(ptx.SchemaError, match="maps table 'complaints' to 'complaint.csv'"):
        load(tmp_path, toml, {"survey.csv": survey(["1"])})


def test_an_import_opens_by_model_names_even_beside_its_ptx_toml(tmp_path, capsys, monkeypatch):
    folder = EXAMPLES / "gp-fft-survey"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ptx.toml").write_text((folder / "ptx.toml").read_text())
    run_import(tmp_path, capsys, folder / "survey.csv", "--config", "ptx.toml")
    assert main(["kpis", str(tmp_path / "out.duckdb")]) == 0
    assert "Feedback responses" in capsys.readouterr().out


def test_import_never_writes_into_ptx_source(tmp_path, capsys, monkeypatch):
    folder = EXAMPLES / "gp-fft-survey"
    monkeypatch.chdir(tmp_path)
    looked_at = tmp_path / "looked-at.duckdb"
    looked_at.write_bytes(b"")
    monkeypatch.setenv("PTX_SOURCE", str(looked_at))
    main(["import", str(folder / "survey.csv"), "--config", str(folder / "ptx.toml")])
    assert looked_at.read_bytes() == b"" and (tmp_path / "ptx.duckdb").is_file()
    assert capsys.readouterr().out.endswith("PTX_SOURCE=ptx.duckdb make run\n")


def test_repaired_text_and_encodings_are_reported(tmp_path):
    body = b"Date,Answer,Why\r\n2026-03-01,1," + "don\u2019t".encode().decode("cp1252").encode()
    body += b"\r\n2026-03-02,1," + "Caf\u00e9".encode("cp1252") + b"\r\n"
    source = load(tmp_path, SURVEY_TOML + 'rating_scale = "fft5"\n', {"survey.csv": body})
    notes = " ".join(report(source).notes)
    assert "mojibake" in notes and "Windows-1252" in notes


def test_whole_numbers_are_read_exactly_or_quarantined(tmp_path):
    from ptx.ingest import whole_numbers

    text = pd.Series(
        [
            "9223372036854775807",
            "9223372036854775808",
            "9223372036854775000",
            "5.0",
            "1e3",
            "1,234",
            "2.5",
            "inf",
            "",
        ]
    )
    values, bad = whole_numbers(text, text == "")
    assert values[0] == 2**63 - 1 and values[2] == 9223372036854775000
    assert (values[3], values[4]) == (5, 1000)
    assert list(bad) == [False, True, False, False, False, True, True, True, False]


def test_hierarchy_column_must_exist_and_departments_come_from_loaded_rows(tmp_path):
    toml = (
        SURVEY_TOML.replace('department_id = "Clinic"\n', "").replace(
            'received_date = "Date"', 'received_date = "Date"\ndepartment_id = "Ward"'
        )
        + 'rating_scale = "fft5"\n'
    )
    header = ["Date", "Answer", "Why", "Ward", "Trust"]
    rows = [["2026-03-01", "1", "", "W1", "T1"], ["not a date", "1", "", "Ghost Ward", "T1"]]
    files = {"survey.csv": csv_text(header, rows)}
    source = load(tmp_path / "a", toml + '[hierarchy]\nsite_column = "Trust"\n', files)
    deps = query.departments(source)
    assert list(deps["department_id"]) == ["W1"] and list(deps["site"]) == ["T1"]
    with pytest.raises(ptx.SchemaError, match="site_column"):
        load(tmp_path / "b", toml + '[hierarchy]\nsite_column = "Trst"\n', files)


def test_uploads_are_read_alone_and_named_safely(tmp_path):
    survey_bytes = survey(["1"]).encode()
    secret = tmp_path / "secret.csv"  # a file on the server, beside no upload
    secret.write_text("complaint_id\n1\n")
    mapping = SURVEY_TOML + f'rating_scale = "fft5"\n[tables.complaints]\nname = "{secret}"\n'
    with pytest.raises(ptx.ConfigError, match="names a file for complaints that was not uploaded"):
        ptx.import_exports({"survey.csv": survey_bytes}, tmp_path / "x.duckdb", mapping=mapping)
    with pytest.raises(ptx.ConfigError, match="its own name"):
        ptx.import_exports({"..": survey_bytes}, tmp_path / "x.duckdb", mapping="")
    with pytest.raises(ptx.ConfigError, match="its own name"):
        ptx.import_exports(
            {"a/s.csv": survey_bytes, "b/s.csv": survey_bytes}, tmp_path / "x.duckdb", mapping=""
        )
    assert ptx.import_target("../../etc/x").as_posix() == "data/imports/etc-x.duckdb"
    # One upload, mapped by the text given with it (the page's case).
    folder = EXAMPLES / "gp-fft-survey"
    report = ptx.import_exports(
        {"survey.csv": (folder / "survey.csv").read_bytes()},
        tmp_path / "gp.duckdb",
        mapping=(folder / "ptx.toml").read_text(),
    )
    assert report.ok and report.tables.set_index("table").at["feedback", "records"] == 53
