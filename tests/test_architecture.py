"""The house rules that keep the layers apart, checked on the source text."""

import ast
import re
from pathlib import Path

import ptx
from tests.conftest import ROOT

PAGE_FILES = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]
# What a page may import: the facade, the frame (pages/_shared.py and meeting mode's
# pages/_meeting.py), Streamlit and the standard library's date, time, path, dataclass and
# signature tools. No pandas, numpy, SQL or ptx submodule.
ALLOWED_IN_PAGES = {
    "__future__",
    "dataclasses",
    "datetime",
    "inspect",
    "pathlib",
    "ptx",
    "pages",
    "streamlit",
    "time",
}
FRAME_MODULES = ("pages", "pages._shared", "pages._meeting")
FRAME_WORK = re.compile(
    r"\.(merge|assign|pivot|pivot_table|sort_values|groupby|apply|fillna|rename|query|drop|"
    r"melt|set_index|reset_index|mask|where|astype|round|isin|value_counts|itertuples|iterrows)"
    r"\(|\.(loc|iloc|at|iat)\[|\bpd\.|\bnp\."
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_library_never_imports_streamlit():
    offenders = [
        p.name
        for p in (ROOT / "ptx").rglob("*.py")
        if any(n.split(".")[0] == "streamlit" for n in _imports(p))
    ]
    assert offenders == []


def test_pages_import_only_the_facade_the_frame_and_streamlit():
    for path in PAGE_FILES:
        imported = _imports(path)
        assert {n.split(".")[0] for n in imported} <= ALLOWED_IN_PAGES, (path.name, imported)
        # ptx itself, never a module under it; the frame's modules, no page imports a page
        assert all(n in ("ptx", *FRAME_MODULES) for n in imported if n.startswith(("ptx", "pages")))
        assert "streamlit" in imported or path.name == "dashboard.py" or "_shared" in path.name


def test_pages_use_only_the_public_facade():
    public = set(ptx.__all__)
    for path in PAGE_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "ptx":
                assert node.attr in public, (path.name, node.attr)


def test_pages_do_no_frame_work_and_no_masking():
    for path in PAGE_FILES:
        text = path.read_text()
        found = FRAME_WORK.findall(text)
        assert not found, (path.name, found)
        assert "read_sql" not in text and "Disclosure(" not in text.replace("ptx.Disclosure(", "")
        assert "min_rate_n" not in text and "suppress_max" not in text


def test_no_private_streamlit_api():
    for path in PAGE_FILES:
        text = path.read_text()
        assert "streamlit.runtime" not in text and "PagesManager" not in text, path.name
        assert "st._" not in text, path.name
        assert not [n for n in _imports(path) if n.startswith("streamlit.")], path.name


def test_every_page_in_navigation_exists():
    from pages._shared import PAGES

    listed = {path for path, _, _ in PAGES}
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("[!_]*.py")}
    assert listed == on_disk


def test_every_cached_call_is_a_facade_call_that_says_what_it_is_doing():
    """Each function a page calls through compute() is public in ptx and has a spinner text."""
    from pages._shared import DOING

    called = set()
    for path in PAGE_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "compute"
                and isinstance(node.args[0], ast.Attribute)
            ):
                assert getattr(node.args[0].value, "id", None) == "ptx", ast.dump(node.args[0])
                called.add(node.args[0].attr)
    assert len(called) >= 10
    assert called <= set(DOING) and called <= set(ptx.__all__), called - set(DOING)


def test_no_module_level_caches_keyed_on_a_source():
    """Caching belongs to the application (or to the source's own memo, closed with it)."""
    for path in (ROOT / "ptx").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "cache" in ast.unparse(d) for d in node.decorator_list
            ):
                arguments = [a.annotation and ast.unparse(a.annotation) for a in node.args.args]
                assert "Source" not in arguments, (path.name, node.name)
