"""An installed wheel (not only `pip install -e`) creates its database and runs the demo from an empty folder.

The wheel is built from a copy of the package (so nothing outside `monitor/`, `pyproject.toml` and
`README.md` can be relied on) and installed into a fresh virtual environment that sees the dependencies
already installed (`--system-site-packages`, `--no-deps`): seconds, not a full dependency install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.test_demo import check_demo_output

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; its stdout, or a failure showing what it printed."""
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what a source distribution holds: pyproject.toml, README.md and the package."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "monitor", src / "monitor", ignore=shutil.ignore_patterns("__pycache__"))
    return src


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps .` of the copy."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, "."], cwd=source)
    [built] = dist.glob("monitor-*.whl")
    return built


def test_the_wheel_ships_every_file_of_the_package(source: Path, wheel: Path) -> None:
    """Migrations, models, data, demo feeds and bundled config: nothing under monitor/ is left out."""
    package = source / "monitor"
    in_tree = {
        p.relative_to(source).as_posix()
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and "egg-info" not in p.as_posix()
    }
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n for n in zf.namelist() if n.startswith("monitor/")}
    assert in_tree - shipped == set()
    assert {"monitor/migrations/env.py", "monitor/demo/demo.toml", "monitor/models/manifest.json"} <= shipped


def test_installed_wheel_creates_its_database_and_runs_the_demo_from_an_empty_folder(
    wheel: Path, tmp_path: Path
) -> None:
    """Outside the repository, with no sources.toml: `monitor db upgrade`, then `monitor demo`."""
    venv, empty, scratch = tmp_path / "venv", tmp_path / "empty", tmp_path / "tmp"
    empty.mkdir()
    scratch.mkdir()
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel], cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("MONITOR_")}
    env.update(TMPDIR=str(scratch), COLUMNS="250")

    where = run([python, "-c", "import monitor; print(monitor.__file__)"], cwd=empty, env=env)
    assert Path(where.strip()).is_relative_to(venv)  # the installed copy, not the repository

    assert "Cơ sở dữ liệu đã được cập nhật" in run(
        [venv / "bin" / "monitor", "db", "upgrade"], cwd=empty, env=env
    )
    assert (empty / "monitor.db").stat().st_size > 0

    check_demo_output(run([venv / "bin" / "monitor", "demo"], cwd=empty, env=env))
    assert list(scratch.iterdir()) == []  # the demo's temporary folder is gone
    assert {p.name for p in empty.iterdir()} <= {"monitor.db", "monitor.db-wal", "monitor.db-shm"}
