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
        ("[tables.feedback]\nsheet = 'x'\n", "unknown setting"),
        ("[source]\nas_of = 'yesterday'\n", "write it as YYYY-MM-DD"),
        ("[sauce]\n", "unknown section"),
        ("[source\n", "not valid TOML"),
    ],
)
def test_bad_config_says_what_is_wrong(tmp_path, text, message):
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
