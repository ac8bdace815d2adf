from datetime import date

import pytest

from ptx.config import DEMO_SOURCE, load_config
from ptx.errors import ConfigError, SourceError


def test_default_is_the_demo_source_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo.duckdb").touch()
    assert DEMO_SOURCE.as_posix() == "data/demo.duckdb"
    assert load_config().location == str(tmp_path / "data" / "demo.duckdb")


def test_no_source_anywhere_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SourceError) as raised:
        load_config()
    message = str(raised.value)
    assert message.startswith("No source given") and "\n" not in message
    assert "`ptx demo`" in message and "data/demo.duckdb" in message and "PTX_SOURCE" in message
    # A config file without a [source] location still falls back to (and misses) the demo.
    (tmp_path / "ptx.toml").write_text("[complaints]\nresolve_working_days = 20\n")
    with pytest.raises(SourceError, match="No source given"):
        load_config()
    # A given source is taken as it is; whether it exists is for open_source to say.
    assert load_config(location="elsewhere.duckdb").location == "elsewhere.duckdb"


def test_only_the_config_files_own_location_is_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    cfg = tmp_path / "conf" / "ptx.toml"
    cfg.write_text('[source]\nlocation = "in-conf.duckdb"\n')
    assert load_config(cfg).location == str(tmp_path / "conf" / "in-conf.duckdb")
    # An argument or PTX_SOURCE is relative to the current folder, as on any command line.
    assert load_config(cfg, location="here.duckdb").location == "here.duckdb"
    monkeypatch.setenv("PTX_SOURCE", "env.duckdb")
    assert load_config(cfg).location == "env.duckdb"


def test_config_file_maps_tables_and_columns(tmp_path):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(
        """
[source]
location = "data/x.duckdb"
as_of = "2025-03-31"

[tables.feedback]
name = "fft_responses"
date_format = "%d/%m/%Y"

[tables.feedback.columns]
received_date = "Date"

[tables.feedback.constants]
rating_scale = "fft5"
"""
    )
    config = load_config(cfg)
    assert config.location == str(tmp_path / "data" / "x.duckdb")  # relative to the file
    assert config.as_of == date(2025, 3, 31)
    fb = config.mapping("feedback")
    assert fb.name == "fft_responses"
    assert fb.source_column("received_date") == "Date"
    assert fb.source_column("channel") == "channel"
    assert fb.constants["rating_scale"] == "fft5"
    assert config.mapping("complaints").name == "complaints"


def test_environment_and_argument_override_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text('[source]\nlocation = "a.duckdb"\n')
    monkeypatch.setenv("PTX_SOURCE", "sqlite:///env.sqlite")
    assert load_config(cfg).location == "sqlite:///env.sqlite"
    assert load_config(cfg, location="b.sqlite").location.endswith("b.sqlite")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tables.patients]\nname = 'x'\n", "not a table of the data model"),
        ("[tables.feedback.columns]\nwhen = 'Date'\n", "not columns of 'feedback'"),
        ("[tables.feedback]\nsheets = 'x'\n", "unknown setting"),
        ("[source]\nas_of = 'yesterday'\n", "write it as YYYY-MM-DD"),
        ("[sauce]\n", "unknown section"),
        ("[source\n", "not valid TOML"),
        # Every key has a type, and a wrong one is named with what was wanted (no traceback).
        ("[tables.feedback]\ndate_format = 5\n", "date_format must be a strptime format"),
        ("[source]\nlocation = 5\n", r"\[source\] location must be a path or URL"),
        ("source = 'x'\n", r"\[source\] must be a table of settings"),
        ("tables = [1, 2]\n", r"\[tables\] must be a table of settings"),
        ("[complaints]\nbackstop_months = true\n", "backstop_months must be a whole number"),
        ("[complaints]\nclosures = '2025-12-24'\n", "closures must be a list of dates"),
        ("[complaints]\nclosures = ['24/12/2025']\n", r"\[complaints\] closures = .* YYYY-MM-DD"),
        ("[tables.feedback.values.rating]\nlabels = 'stars'\n", "not a ready label set"),
        ("[tables.feedback.values.rating]\nmap = { Good = 'two' }\n", "must be a whole number"),
        ("[tables.feedback.values.rating]\nreverse = 'yes'\n", "reverse must be true or false"),
        ("[tables.feedback.values.comment]\nreverse = true\n", "only rating and answer"),
        ("[tables.feedback.values.rating]\nflip = true\n", "unknown setting"),
        ("[tables.feedback]\nid = 'hash'\n", 'the only choice is id = "generate"'),
        ("[tables.complaints]\nresponse_key = ['a']\n", "only feedback rows"),
        ("[tables.feedback]\nresponse_key = 'a'\n", "must be a list of strings"),
        ("[import]\nmissing = 'NA'\n", "must be a list of strings"),
        ("[hierarchy]\nsite = ''\n", "must not be empty"),
        ("[hierarchy]\ntrust = 'x'\n", "allowed: site, division, site_column"),
    ],
)
def test_bad_config_says_what_is_wrong(tmp_path, text, message):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_a_config_file_not_saved_as_utf8_says_so(tmp_path):
    cfg = tmp_path / "ptx.toml"
    cfg.write_bytes('[hierarchy]\nsite = "Caf\u00e9"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match="not UTF-8 text .* save it as UTF-8"):
        load_config(cfg)


def test_import_settings_are_read(tmp_path):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(
        """
[import]
missing = ["", "NA", "n.k."]

[hierarchy]
site = "Riverside Surgery"

[tables.feedback]
name = "survey.xlsx"
sheet = "Responses"
id = "generate"
response_key = ["Respondent"]

[tables.feedback.values.rating]
labels = "fft"
map = { "7" = 6 }
reverse = false

[tables.feedback.values.age_band]
missing = ["Prefer not to say"]
"""
    )
    config = load_config(cfg, location="x.duckdb")
    fb = config.mapping("feedback")
    assert (fb.sheet, fb.generate_id, fb.response_key) == ("Responses", True, ("Respondent",))
    assert fb.value_map("rating").labels == "fft" and fb.value_map("rating").scale == "fft5"
    assert fb.value_map("rating").translations["very good"] == 1
    assert fb.value_map("rating").translations["7"] == 6
    assert config.missing_tokens("feedback", "rating") == ("", "NA", "n.k.")
    assert config.missing_tokens("feedback", "age_band") == ("Prefer not to say",)
    assert (config.hierarchy.site, config.hierarchy.division) == (
        "Riverside Surgery",
        "All divisions",
    )
    assert "Did not answer" in load_config(location="x.duckdb").missing_tokens(
        "feedback", "comment"
    )


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_a_label_set_must_agree_with_a_constant_scale(tmp_path):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(
        '[tables.feedback.constants]\nrating_scale = "fft5"\n'
        '[tables.feedback.values.rating]\nlabels = "nps"\n'
    )
    with pytest.raises(ConfigError, match="reads rating onto the ltr11 scale"):
        load_config(cfg, location="x.duckdb")
    cfg.write_text('[tables.feedback.values.comment]\nlabels = "fft"\n')
    with pytest.raises(ConfigError, match="answer words are for rating and answer"):
        load_config(cfg, location="x.duckdb")
