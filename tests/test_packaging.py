"""ptx works from a plain, non-editable install outside the repository (notebooks, cron jobs).

The module builds a wheel from the working tree once, installs it into a fresh virtual
environment under a temporary folder, and runs the ``ptx`` command and Python from there with
the current folder outside the repository. The fresh environment borrows its dependencies from
the running one through a ``.pth`` line (no network); a folder added that way does not have its
own ``.pth`` files processed, so the repository's editable install stays inactive there, which
``test_the_fresh_install_is_not_the_repository`` checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

README_SECTION = "Use ptx from Python"
TIMEOUT = 120  # per command; each takes a few seconds


@dataclass(frozen=True)
class FreshInstall:
    """A virtual environment with ptx installed from a wheel, and folders to run it in."""

    venv: Path
    python: Path
    ptx: Path
    site_packages: Path
    work: Path  # a parent for the (empty) folders commands run in, outside the repository
    env: dict[str, str]

    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.work))

    def run(self, *argv: str | Path, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(a) for a in argv],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


_installed: FreshInstall | None = None


def run_in_fresh_install(code: str, *, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a Python snippet with the fresh install's interpreter, in ``cwd`` (default: a new
    empty folder outside the repository). Needs the ``fresh_install`` fixture in the test."""
    assert _installed is not None, "request the fresh_install fixture first"
    where = cwd or _installed.folder()
    return _installed.run(_installed.python, "-c", code, cwd=where)


def _copy_checkout(dest: Path) -> Path:
    """The working tree's files as a fresh clone would have them (tracked and new, not ignored),
    so the build neither sees nor writes build/ or *.egg-info in the repository."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _environment(home: Path) -> dict[str, str]:
    """The caller's environment without anything that would point back at the repository."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PTX_SOURCE", "PTX_CONFIG")
    }
    return env | {"PYTHONNOUSERSITE": "1", "PTX_CACHE_DIR": str(home / "ptx-cache")}


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory) -> FreshInstall:
    global _installed
    base = tmp_path_factory.mktemp("fresh-install")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    env = _environment(base)

    def step(*argv) -> None:
        done = subprocess.run(
            [str(a) for a in argv], env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, f"{' '.join(map(str, argv))}:\n{done.stderr[-3000:]}"

    checkout = _copy_checkout(base / "checkout")
    wheels = base / "wheels"
    # Offline: the build backend is the test environment's setuptools (the test extra pins it).
    step(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
        "-w",
        wheels,
        checkout,
    )
    (wheel,) = wheels.glob("ptx-*.whl")
    venv = base / "venv"
    step(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    step(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies, from the running environment: one directory on sys.path, whose own .pth
    # files (the repository's editable finder among them) are not processed.
    (site / "_ptx_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = base / "work"
    work.mkdir()
    _installed = FreshInstall(venv, python, venv / "bin" / "ptx", site, work, env)
    yield _installed
    _installed = None


def test_the_fresh_install_is_not_the_repository(fresh_install):
    done = run_in_fresh_install(
        "import json, sys, ptx, ptx.cli; "
        "print(json.dumps([ptx.__file__, ptx.cli.__file__, sys.prefix]))"
    )
    assert done.returncode == 0, done.stderr
    package, cli, prefix = json.loads(done.stdout)
    for path in (package, cli):
        assert Path(path).is_relative_to(fresh_install.site_packages), path
        assert not Path(path).is_relative_to(ROOT), path
    assert Path(prefix) == fresh_install.venv
    assert fresh_install.ptx.is_file()


def test_the_command_works_outside_the_repository(fresh_install):
    here = fresh_install.folder()
    ptx = fresh_install.ptx
    done = fresh_install.run(ptx, "demo", "out.duckdb", "--rows", "3000", "--quiet", cwd=here)
    assert done.returncode == 0, done.stderr
    assert (here / "out.duckdb").is_file()
    done = fresh_install.run(ptx, "validate", "out.duckdb", cwd=here)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result: OK" in done.stdout
    done = fresh_install.run(ptx, "kpis", "out.duckdb", "--format", "json", cwd=here)
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)
    assert "out.duckdb" in kpis["source"] and kpis["as_of"] == "2026-09-30"
    assert isinstance(kpis["kpis"], list) and kpis["kpis"]


def test_no_source_and_no_checkout_are_one_line_errors(fresh_install):
    empty = fresh_install.folder()
    done = fresh_install.run(fresh_install.ptx, "validate", cwd=empty)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("ptx: error: No source given"), done.stderr
    assert done.stderr.count("\n") == 1 and "`ptx demo`" in done.stderr
    done = fresh_install.run(fresh_install.ptx, "bench", cwd=empty)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("ptx: error: `ptx bench` must be run from a ptx repository")
    assert done.stderr.count("\n") == 1
    assert list(empty.iterdir()) == []  # neither wrote anything


def _readme_python_example(text: str) -> str | None:
    """The first ```python block in the section whose heading contains README_SECTION."""
    level = None
    fence = None
    block: list[str] = []
    for line in text.splitlines():
        if fence is not None:
            if line.strip().startswith("```"):
                if fence == "python" and level is not None:
                    return "\n".join(block) + "\n"
                fence, block = None, []
            else:
                block.append(line)
            continue
        if line.strip().startswith("```"):
            fence = line.strip()[3:].strip().lower()
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        if heading:
            depth = len(heading.group(1))
            if level is not None and depth <= level:
                return None  # the section ended without one
            if README_SECTION.lower() in heading.group(2).lower():
                level = depth
    return None


def test_readme_python_example_runs_on_a_fresh_install(fresh_install):
    code = _readme_python_example((ROOT / "README.md").read_text(encoding="utf-8"))
    if code is None:
        pytest.fail(
            f"README.md has no ```python block under a heading containing '{README_SECTION}': "
            "the section showing ptx from a notebook or script is missing."
        )
    here = fresh_install.folder()
    demo = fresh_install.run(
        fresh_install.ptx, "demo", "data/demo.duckdb", "--rows", "20000", "--quiet", cwd=here
    )
    assert demo.returncode == 0, demo.stderr
    done = run_in_fresh_install(code, cwd=here)
    assert done.returncode == 0, f"the README's example failed:\n{done.stderr[-3000:]}"


def test_readme_example_is_found_under_its_heading():
    text = (
        "# ptx\n\n```python\nnot this\n```\n\n## Use ptx from Python\n\nIntro.\n\n"
        "```bash\nptx demo\n```\n\n```python\n# a comment, not a heading\nimport ptx\n```\n"
    )
    assert _readme_python_example(text) == "# a comment, not a heading\nimport ptx\n"
    assert (
        _readme_python_example("## Use ptx from Python\n\n## Next\n\n```python\nx\n```\n") is None
    )
