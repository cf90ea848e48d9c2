"""`monitor demo`: the sample outlets are served on 127.0.0.1 and go through every real stage."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.demo.config import demo_config
from monitor.demo.server import serve_demo
from monitor.nlp.targets import default_targets


def check_demo_output(out: str) -> None:
    """The demo's tables show every article extracted and analysed, and the right one flagged."""
    assert "10 đã trích xuất" in out  # every article page fetched and extracted
    assert "Phân tích: 10 bài" in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    queue = next(v for k, v in lines.items() if k.startswith("Người dân xếp hàng"))
    assert "CÓ" in queue and "tiêu cực" in queue  # the ID-card queue story is flagged
    gia_lai = next(v for k, v in lines.items() if k.startswith("Công an tỉnh Gia Lai"))
    assert "Công an tỉnh Kon Tum" not in gia_lai and "CÓ" not in gia_lai
    gold = next(v for k, v in lines.items() if k.startswith("Giá vàng"))
    assert "CÓ" not in gold


def test_demo_runs_the_whole_pipeline_offline_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sources.toml in the working folder: the demo brings its own; --keep keeps its database."""
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--keep"], catch_exceptions=False, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    check_demo_output(result.output)
    assert list(work.iterdir()) == []  # nothing written where the user stands
    [kept] = scratch.iterdir()
    url = f"sqlite:///{kept / 'demo.db'}"
    assert f"Cơ sở dữ liệu demo: {url}" in result.output
    queue = runner.invoke(app, ["--db", url, "queue"], catch_exceptions=False, env={"COLUMNS": "250"})
    assert queue.exit_code == 0 and "Người dân xếp hàng" in queue.output, queue.output


def test_demo_config_is_bundled_with_the_default_targets_and_the_served_outlets() -> None:
    """The demo's settings come from the package, its sources from the outlets it serves."""
    with serve_demo() as outlets:
        config = demo_config(outlets)
    assert config.watches == default_targets()
    assert [s.url for s in config.sources] == [o.url for o in outlets]
    assert all(s.allow_private for s in config.sources)
    assert config.flags.sensitive_topics == ("tham_nhung",)


def test_the_demo_table_fits_an_office_terminal_and_keeps_titles_as_written() -> None:
    from rich.console import Console

    from monitor.cli.demo import format_articles

    record = dict(
        title="[red]Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước ở Kon Tum[/red]",
        source="demo-bao-dia-phuong",
        mentions=[{"alias": "Công an tỉnh Kon Tum"}],
        topic="dich_vu_cong",
        tone="tieu_cuc",
        tone_score=0.85,
        flagged=True,
        story_id=5,
    )
    console = Console(width=80, record=True)
    console.print(format_articles([record]))
    out = console.export_text()
    assert max(len(line) for line in out.splitlines()) <= 80 and "chuyện" in out  # every column shown
    assert "(0,85)" in out and "[red]" in out  # a decimal comma; a feed's markup stays text
