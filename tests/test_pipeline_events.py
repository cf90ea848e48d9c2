"""The queue stage joins two outlets' own reports of one event, suggests the doubtful ones, never re-suggests
a pair a collaborator split, and keeps one case per story."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from test_queue_support import (
    ESCAPE_B,
    ESCAPE_B_NAMELESS,
    NOW,
    seed_event_reports,
    seed_users,
)

from monitor.config_tables import QueueSettings
from monitor.pipeline.queue import run_queue_stage
from monitor.store import relations
from monitor.store.cases import story_and_case_status
from monitor.store.queue_tables import CaseRow, StoryRelationRow, StoryRow
from monitor.store.users import get_user

SETTINGS = QueueSettings()


def _seed(db, second, hours: float = 5) -> list[int]:
    """Yesterday's other reports, then the escape from outlet A and `second` from outlet B `hours` later."""
    return seed_event_reports(db, second, later=timedelta(hours=hours))


def _relations(db) -> list[tuple[int, int, str]]:
    with db.read() as s:
        rows = s.execute(select(StoryRelationRow.story_a, StoryRelationRow.story_b, StoryRelationRow.status))
        return sorted((a, b, st) for a, b, st in rows)


def test_two_outlets_reports_of_one_event_become_one_story_and_one_case(db):
    ids = _seed(db, ESCAPE_B)
    report = run_queue_stage(db, ids, SETTINGS, NOW + timedelta(hours=6))
    assert report.event_joins == 1 and report.event_suggestions == 0
    with db.read() as s:
        status = story_and_case_status(s, ids[-2:])
        story = s.get(StoryRow, status[ids[-2]][0])
        cases = s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.story_id == story.id))
    assert status[ids[-1]][0] == story.id  # the second outlet's own words joined the first's story
    assert (story.article_count, story.outlet_count, cases) == (2, 2, 1)
    assert _relations(db) == []


def test_a_doubtful_pair_is_suggested_not_joined(db):
    ids = _seed(db, ESCAPE_B_NAMELESS)
    report = run_queue_stage(db, ids, SETTINGS, NOW + timedelta(hours=6))
    assert (report.event_joins, report.event_suggestions) == (0, 1)
    with db.read() as s:
        status = story_and_case_status(s, ids[-2:])
    first, second = status[ids[-2]][0], status[ids[-1]][0]
    assert first != second and status[ids[-2]][1] == status[ids[-1]][1] == "new"  # one case each
    assert _relations(db) == [(min(first, second), max(first, second), "suggested")]


def test_reports_days_apart_are_not_matched(db):
    ids = _seed(db, ESCAPE_B, hours=SETTINGS.event_window_hours + 24)
    report = run_queue_stage(db, ids, SETTINGS, NOW + timedelta(days=5))
    assert (report.event_joins, report.event_suggestions) == (0, 0)
    assert _relations(db) == []


def test_the_same_pair_reported_in_two_passes_is_matched_the_same(db):
    ids = _seed(db, ESCAPE_B)
    run_queue_stage(db, ids[:-1], SETTINGS, NOW + timedelta(hours=1))  # the first outlet, then a later pass
    report = run_queue_stage(db, ids[-1:], SETTINGS, NOW + timedelta(hours=6))
    assert report.event_joins == 1
    again = run_queue_stage(db, ids, SETTINGS, NOW + timedelta(hours=7))  # a re-run changes nothing
    assert (again.assigned, again.event_joins, again.event_suggestions) == (0, 0, 0)


def test_a_split_pair_is_never_suggested_again(db):
    seed_users(db)
    ids = _seed(db, ESCAPE_B_NAMELESS)
    run_queue_stage(db, ids, SETTINGS, NOW + timedelta(hours=6))
    [(a, b, _)] = _relations(db)
    with db.write() as s:
        relations.decide(s, a, b, relations.SPLIT, get_user(s, "ctv1").id, NOW + timedelta(hours=7))
        again = relations.suggest(s, [relations.Suggestion(b, a, 0.9, ())], NOW + timedelta(hours=8))
    assert again == 0
    assert _relations(db) == [(a, b, "split")]
