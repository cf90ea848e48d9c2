"""Every CLI command has Vietnamese help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from monitor.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, object]]:
    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out.extend((f"{name} {sub}", c) for sub, c in subs.items())
        else:
            out.append((name, cmd))
    return out


def test_every_command_is_documented_with_help() -> None:
    commands = _commands()
    assert len(commands) >= 6
    for name, cmd in commands:
        assert f"monitor {name}" in README, f"`monitor {name}` missing from README"
        help_text = (getattr(cmd, "help", None) or "").strip()
        assert help_text, f"`monitor {name}` has no help text"


def test_importing_monitor_does_no_work() -> None:
    import subprocess
    import sys

    heavy = "('underthesea', 'underthesea_core', 'trafilatura', 'feedparser', 'httpx', 'sqlalchemy')"
    code = f"import sys, monitor; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # The CLI may import its libraries, but loads no model and opens no database until a command runs.
    models = "('underthesea', 'underthesea_core', 'trafilatura')"
    code = f"import sys, monitor.cli; print([m for m in {models} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_pages_are_vietnamese() -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    groups = [(g.name, None) for g in app.registered_groups]
    for name, _ in [("", None), *groups, *_commands()]:
        out = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "120"}).output
        assert "Xem hướng dẫn này rồi thoát." in out, name
        for english in ("Show this message", "[required]", "[default:", "Options ", "Arguments "):
            assert english not in out, (name, english)
