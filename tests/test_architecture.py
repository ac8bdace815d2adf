"""The house rules that keep the layers apart, checked on the source text."""

import ast
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN_IN_PAGES = ("sqlalchemy", "duckdb", "psycopg")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_library_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "ptx").glob("*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_do_no_database_or_pandas_work():
    for path in [ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py")]:
        assert not _imports(path) & set(FORBIDDEN_IN_PAGES), path.name
        text = path.read_text()
        assert ".groupby(" not in text and "read_sql" not in text, path.name


def test_every_page_in_navigation_exists():
    text = (ROOT / "dashboard.py").read_text()
    for page in (ROOT / "pages").glob("[!_]*.py"):
        assert f'st.Page("pages/{page.name}"' in text, page.name


def test_every_cached_call_says_what_it_is_doing():
    """Each ptx function a page calls through compute() has its own spinner text."""
    from pages._shared import DOING

    called = set()
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "compute"
                and isinstance(node.args[0], ast.Attribute)
            ):
                called.add(node.args[0].attr)
    assert len(called) >= 8
    assert called <= set(DOING), called - set(DOING)
