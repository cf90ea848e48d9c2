"""`monitor demo`: the sample outlets are served on 127.0.0.1 and go through every real stage."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from monitor.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_demo_runs_the_whole_pipeline_offline() -> None:
    result = CliRunner().invoke(
        app, ["--config", str(ROOT / "sources.toml"), "demo"], catch_exceptions=False, env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "10 đã trích xuất" in out  # every article page fetched and extracted
    assert "Phân tích: 10 bài" in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    queue = next(v for k, v in lines.items() if k.startswith("Người dân xếp hàng"))
    assert "CÓ" in queue and "tiêu cực" in queue  # the ID-card queue story is flagged
    gia_lai = next(v for k, v in lines.items() if k.startswith("Công an tỉnh Gia Lai"))
    assert "Công an tỉnh Kon Tum" not in gia_lai and "CÓ" not in gia_lai
    gold = next(v for k, v in lines.items() if k.startswith("Giá vàng"))
    assert "CÓ" not in gold
