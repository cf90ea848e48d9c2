"""Analysis processes start light: what they import is the NLP, never the database layer or the CLI.

Each one-off pass (`monitor fetch`) spawns its analysis processes (spawn, not fork: the parent holds Rust
threads), so every module a process imports is paid at the start of the pass. The results of the processes
are compared with an in-process pass in test_pipeline_analyse.py.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Never needed to analyse a batch: the database layer, the queue stage's store, the CLI, the fetcher,
# scipy (datasketch's LSH imported it for one integral) and asyncio.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "monitor.store.db",
    "monitor.store.tables",
    "monitor.pipeline.analyse",
    "monitor.pipeline.queue",
    "monitor.cli",
    "typer",
    "httpx",
    "datasketch",
    "scipy",
    "asyncio",
)


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules loaded after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_an_analysis_process_imports_no_database_code() -> None:
    """What a spawned process runs: unpickle the initializer, load the pieces, analyse and sign a batch."""
    code = """
from pathlib import Path
from monitor.config import load_config
from monitor.pipeline import analysis_worker as w
from monitor.store.records import PendingArticle
w._init_worker(load_config(Path("sources.toml")), None)
batch = [PendingArticle(1, "Công an tỉnh Kon Tum bắt giữ đối tượng trộm cắp", "Công an huyện Đăk Hà đã bắt giữ.", "x", 1.0)]
records, signatures, texts = w.work(batch)
assert records[0].mentions and 1 in signatures and 1 in texts
"""
    assert _loaded_after(code) == []


def test_the_monitor_script_imports_no_cli_until_it_runs() -> None:
    """A spawned process re-runs its parent's main script: `monitor`'s must import nothing heavy."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    module, _, func = scripts["monitor"].partition(":")
    assert _loaded_after(f"from {module} import {func}") == []
