"""Confirm / split "có thể cùng sự việc": a collaborator's one-click decision, in the case history and the
relation (who, when), refused like any other case action, shown by the CLI; nothing else about a case moves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT
from sqlalchemy import select
from test_queue_support import (
    ESCAPE_B_NAMELESS,
    NOW,
    seed_event_reports,
    seed_users,
)
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config_tables import QueueSettings
from monitor.errors import NotFoundError, PermissionDeniedError, TransitionError
from monitor.pipeline.queue import run_queue_stage
from monitor.queue.event_check import check_database
from monitor.queue.service import Decision, act
from monitor.queue.views import case_view
from monitor.store.cases import story_and_case_status
from monitor.store.db import Database
from monitor.store.queue_tables import CaseRow, StoryRelationRow
from monitor.vocab import Action

SETTINGS = QueueSettings()


def seed_suggestion(db: Database, at: datetime = NOW, *, second_flagged: bool = True) -> tuple[int, int]:
    """Two outlets' reports of one escape, too unlike to join: two cases and a suggestion; the case ids
    (`second_flagged=False`: the second story has no case; its story id instead)."""
    ids = seed_event_reports(db, ESCAPE_B_NAMELESS, at=at, key="rel", second_flagged=second_flagged)
    report = run_queue_stage(db, ids, SETTINGS, at + timedelta(hours=1))
    assert report.event_suggestions == 1 and report.cases_opened == 1 + second_flagged
    with db.read() as s:
        cases = dict(s.execute(select(CaseRow.story_id, CaseRow.id)).all())
        status = story_and_case_status(s, ids[-2:])
    second_story = status[ids[-1]][0]
    return cases[status[ids[-2]][0]], cases[second_story] if second_flagged else second_story


def _relation(db: Database) -> tuple[str, int | None, datetime | None]:
    with db.read() as s:
        row = s.scalars(select(StoryRelationRow)).one()
        return row.status, row.decided_by, row.decided_at


@pytest.mark.parametrize(
    ("action", "status", "label"),
    [
        (Action.CONFIRM_EVENT, "confirmed", "cùng sự việc (đã xác nhận)"),
        (Action.SPLIT_EVENT, "split", "khác sự việc (đã tách)"),
    ],
)
def test_a_collaborator_decides_a_suggestion(db, action, status, label):
    seed_users(db)
    first, second = seed_suggestion(db)
    before = case_view(db, first, NOW)
    assert [(r.case_id, r.status_label, r.open) for r in before.related] == [
        (second, "có thể cùng sự việc", True)
    ]
    when = NOW + timedelta(hours=2)
    after = act(db, first, "ctv1", Decision(action, other_case=second), SETTINGS, when)
    assert (after.state, after.version) == (before.state, before.version + 1)  # the case itself stays put
    relation_status, decided_by, decided_at = _relation(db)
    assert relation_status == status and decided_by is not None and decided_at == when
    view = case_view(db, first, when)
    assert [(r.case_id, r.status_label, r.decided_by, r.open) for r in view.related] == [
        (second, label, "Nguyễn Văn An", False)
    ]
    assert view.history[-1].action_label == (
        "xác nhận cùng sự việc" if status == "confirmed" else "tách sự việc"
    )
    assert f"vụ việc #{second}" in view.history[-1].note
    # the other case sees the same decision
    assert [(r.case_id, r.status) for r in case_view(db, second, when).related] == [(first, status)]
    assert check_database(db).findings == ()  # the appended event replays to the stored case


def test_a_suggested_story_without_a_case_is_named_by_its_story(db):
    seed_users(db)
    first, story = seed_suggestion(db, second_flagged=False)
    [related] = case_view(db, first, NOW).related
    assert (related.case_id, related.story_id, related.open) == (None, story, True)
    act(
        db, first, "ctv1", Decision(Action.SPLIT_EVENT, other_story=story), SETTINGS, NOW + timedelta(hours=2)
    )
    assert _relation(db)[0] == "split"
    assert case_view(db, first, NOW).history[-1].note == f"Khác sự việc với tin #{story}."
    with pytest.raises(NotFoundError, match="tin #999"):
        act(db, first, "ctv1", Decision(Action.CONFIRM_EVENT, other_story=999), SETTINGS, NOW)


def test_refusals_are_vietnamese_and_change_nothing(db):
    seed_users(db)
    first, second = seed_suggestion(db)
    with pytest.raises(PermissionDeniedError, match="không được xác nhận cùng sự việc"):
        act(db, first, "bcv", Decision(Action.CONFIRM_EVENT, other_case=second), SETTINGS, NOW)
    with pytest.raises(TransitionError, match="--with"):
        act(db, first, "ctv1", Decision(Action.SPLIT_EVENT), SETTINGS, NOW)
    with pytest.raises(TransitionError, match="một tin"):
        act(db, first, "ctv1", Decision(Action.SPLIT_EVENT, other_case=first), SETTINGS, NOW)
    with pytest.raises(NotFoundError, match="#999"):
        act(db, first, "ctv1", Decision(Action.CONFIRM_EVENT, other_case=999), SETTINGS, NOW)
    assert _relation(db) == ("suggested", None, None)
    assert case_view(db, first, NOW).version == 1


def test_the_cli_shows_the_suggestion_and_confirms_it(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG", str(ROOT / "sources.toml"))
    monkeypatch.setenv("COLUMNS", "250")
    db = Database(url)
    db.migrate()
    seed_users(db)
    first, second = seed_suggestion(db, datetime.now(UTC) - timedelta(hours=3))
    db.dispose()
    runner = CliRunner()
    shown = runner.invoke(app, ["case", str(first)])
    assert shown.exit_code == 0, shown.output
    assert f"Có thể cùng sự việc: vụ việc #{second}" in shown.output
    assert re.search(r"độ giống 0,\d\d", shown.output)  # a Vietnamese decimal comma
    assert f"monitor case {first} cùng-sự-việc --with {second}" in shown.output
    assert f"monitor case {first} tách --with {second}" in shown.output
    done = runner.invoke(app, ["case", str(first), "cùng-sự-việc", "--with", str(second), "--as", "ctv1"])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(app, ["case", str(second)])
    assert f"Cùng sự việc (đã xác nhận): vụ việc #{first}" in shown.output and "Nguyễn Văn An" in shown.output
    assert "cùng-sự-việc --with" not in shown.output  # decided: no more commands offered
