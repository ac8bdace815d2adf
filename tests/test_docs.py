"""The README documents every command and every column of the data model."""

from ptx.cli import build_parser
from ptx.schema import TABLES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_cli_command_is_documented():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"ptx {name}" in README, f"`ptx {name}` is not in the README"


def test_every_model_column_is_documented():
    for table in TABLES.values():
        for col in table.columns:
            assert f"| `{col.name}` | {col.type} |" in README, f"{table.name}.{col.name}"


def test_quick_start_is_two_commands():
    assert "make run" in README and "make test" in README


def test_every_measure_of_the_catalog_is_in_the_readme():
    import ptx

    for m in ptx.CATALOG.values():
        assert m.label in README, f"{m.label} ({m.key}) is not in the README"


def test_every_facade_call_is_in_the_readme():
    import inspect

    import ptx

    for name in ptx.__all__:
        value = getattr(ptx, name)
        if inspect.isfunction(value) and value.__module__.startswith("ptx.api"):
            if name in ("as_of", "channels", "data_range", "default_window", "format_value"):
                continue  # small helpers the dashboard's frame uses
            assert f"ptx.{name}" in README, f"ptx.{name} is not in the README"


def test_the_readme_holds_the_catalog_as_ptx_measures_prints_it():
    from ptx.catalog import catalog_markdown

    assert catalog_markdown() in README


def test_the_readme_holds_the_data_model_as_ptx_schema_prints_it():
    from ptx.schema import schema_markdown

    assert schema_markdown().rstrip("\n") in README
