"""`monitor sources` shows every source with its health; a failing one is shown in red, not dropped."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from monitor.cli import app
from tests.pipeline_helpers import numbered_items, rss, write_config
from tests.servers import LocalServer, Reply


def test_sources_table_shows_health_after_a_pass(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    with LocalServer() as srv:
        srv.route("/ok.rss", Reply(body=rss(numbered_items(2)), content_type="application/rss+xml"))
        srv.route("/down.rss", Reply(status=503, body=b"busy", headers={"Retry-After": "120"}))
        config = write_config(
            tmp_path / "sources.toml", {"tot": srv.url("/ok.rss"), "hong": srv.url("/down.rss")}
        )
        base = ["--config", str(config), "--db", db_url]
        fetched = runner.invoke(app, [*base, "fetch", "--no-analysis"], catch_exceptions=False)
        shown = runner.invoke(app, [*base, "sources"], catch_exceptions=False, env={"COLUMNS": "250"})
    assert fetched.exit_code == 0, fetched.output
    assert "Kết quả thu thập" in fetched.output and "503" in fetched.output
    assert shown.exit_code == 0
    out = shown.output
    assert "tot" in out and "hong" in out
    assert "Tốt" in out  # the healthy source
    assert "503" in out  # the last error, in Vietnamese, with its status
