"""ptx.spark without a cluster: what its dialect compiles and how it quotes, the calendar view's
statement, and which URLs are Spark. (The same module against a real cluster: test_engines.)"""

from datetime import date

import pytest
import sqlalchemy as sa

pytest.importorskip("pyhive", reason="PyHive is not installed: pip install '.[spark]'")

from pyhive import hive  # noqa: E402

from ptx import spark  # noqa: E402
from ptx.errors import SourceError  # noqa: E402
from ptx.store import Writer, is_spark, normalise_url  # noqa: E402
from ptx.workdays import WorkingCalendar, _backstop_months, calendar_rows, calendar_view_sql  # noqa: E402

DIALECT = spark.SparkDialect()


def _sql(statement) -> str:
    return str(statement.compile(dialect=DIALECT))


def test_a_cast_to_date_is_a_date_not_a_timestamp():
    assert _sql(sa.select(sa.cast(sa.column("d"), sa.Date))) == "SELECT CAST(`d` AS DATE) AS `d`"


def test_dates_come_back_as_dates():
    process = DIALECT.type_descriptor(sa.Date()).result_processor(DIALECT, None)
    assert process("2025-12-25") == date(2025, 12, 25)
    assert process(None) is None
    assert process(date(2025, 1, 2)) == date(2025, 1, 2)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("St Mary's", r"'St Mary\'s'"),
        ("ends in a backslash\\", r"'ends in a backslash\\'"),
        ("x\\' OR 1=1 --", r"'x\\\' OR 1=1 --'"),
    ],
)
def test_strings_are_quoted_for_spark_where_a_backslash_escapes(value, literal):
    assert spark._ESCAPER.escape_string(value) == literal


def test_a_statement_is_not_a_table_name_and_costs_no_round_trip():
    # pandas.read_sql asks has_table(statement) first; there is no connection to use here.
    assert DIALECT.has_table(None, "SELECT 1 FROM feedback") is False
    assert DIALECT.has_table(None, sa.select(sa.literal(1))) is False


def test_spark_and_hive_urls_use_ptx_s_dialect():
    assert is_spark("hive://127.0.0.1:10000/default") and is_spark("SPARK://h/db")
    assert not is_spark("postgresql://h/db") and not is_spark("data/hive.duckdb")
    assert normalise_url("hive://h:1/db") == "spark://h:1/db"
    engine = sa.create_engine(normalise_url("hive://127.0.0.1:1/default"))
    assert isinstance(engine.dialect, spark.SparkDialect) and engine.dialect.name == "spark"


def test_the_calendar_view_names_weekday_holidays_and_the_backstop():
    rows = calendar_rows(WorkingCalendar(), 6)
    sql = calendar_view_sql(rows)
    assert sql.startswith("CREATE OR REPLACE TEMPORARY VIEW ptx_calendar AS")
    assert "DATE'2025-12-25'" in sql and "DATE'2021-12-27'" in sql  # Christmas, substitute
    assert "DATE'2021-12-25'" not in sql  # a Saturday: a weekend day already
    assert "add_months(day, 6)" in sql and "sequence(DATE'1990-01-01', DATE'2060-12-31')" in sql
    assert _backstop_months(calendar_rows(WorkingCalendar(), 3)) == 3


def test_a_spark_target_is_not_written_row_by_row(tmp_path):
    with pytest.raises(SourceError, match="staged"):
        Writer("spark://127.0.0.1:1/default", ("departments",))


def test_bench_on_spark_needs_a_thrift_server_url(monkeypatch, capsys):
    from ptx.cli import main
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PTX_BENCH_SPARK_URL", raising=False)
    assert main(["bench", "--sizes", "2000", "--engines", "duckdb,spark"]) == 2
    assert "--engines spark needs --spark-url" in capsys.readouterr().err


def test_a_connection_used_recently_is_not_pinged_before_each_statement(spark_url, monkeypatch):
    # The pool's pre-ping is a Thrift round trip (0.2-0.3 s here): paid only after idleness.
    sent = []
    execute = hive.Cursor.execute

    def recorded(cursor, operation, *args, **kwargs):
        sent.append(operation.strip())
        return execute(cursor, operation, *args, **kwargs)

    monkeypatch.setattr(hive.Cursor, "execute", recorded)
    engine = sa.create_engine(normalise_url(spark_url), pool_pre_ping=True, pool_size=1)
    try:
        for n in (2, 3):
            with engine.connect() as conn:
                assert conn.exec_driver_sql(f"SELECT {n}").scalar() == n
        assert [s for s in sent if not s.startswith("USE ")] == ["SELECT 2", "SELECT 3"]
        sent.clear()
        monkeypatch.setattr(spark, "PING_AFTER_IDLE_SECONDS", 0.0)  # now idle "long enough"
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 4").scalar() == 4
        assert sent == ["SELECT 1", "SELECT 4"]
    finally:
        engine.dispose()
