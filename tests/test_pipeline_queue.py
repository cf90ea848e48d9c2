"""The queue stage: copies become one story, cases open once and never reopen, re-runs change nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from test_queue_support import (
    DRUG_STORY,
    NOW,
    QUEUE_STORY,
    TRAFFIC_STORY,
    ascii_copy,
    seed_article,
    seed_source,
)

from monitor.config_tables import QueueSettings
from monitor.pipeline.queue import run_queue_stage
from monitor.store.cases import story_and_case_status
from monitor.store.db import Database
from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryArticleRow, StoryRow

SETTINGS = QueueSettings()


def _seed_copies(db):
    """The queue story from four outlets (wire copy, ascii copy, 'Kon Tum:' prefix), two other stories."""
    title, text = QUEUE_STORY
    with db.write() as s:
        srcs = [seed_source(s, f"o{i}", f"Báo {i}", weight=1.0) for i in range(5)]
        ids = [
            seed_article(s, srcs[0], title, text, at=NOW),
            seed_article(s, srcs[1], title, text + " (Theo TTXVN)", at=NOW + timedelta(hours=1)),
            seed_article(s, srcs[2], ascii_copy(title), ascii_copy(text), at=NOW + timedelta(hours=2)),
            seed_article(s, srcs[3], "Kon Tum: " + title, text, at=NOW + timedelta(hours=3)),
            seed_article(
                s,
                srcs[4],
                *DRUG_STORY,
                tone="tich_cuc",
                flagged=False,
                topic="ma_tuy",
                targets=("tinh_kon_tum",),
            ),
            seed_article(
                s,
                srcs[4],
                *TRAFFIC_STORY,
                tone="trung_tinh",
                flagged=False,
                topic="giao_thong",
                targets=("tinh_kon_tum",),
            ),
        ]
    return ids


def _count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_copies_become_one_story_and_one_case(db):
    ids = _seed_copies(db)
    result = run_queue_stage(db, ids, SETTINGS, NOW)
    assert (result.assigned, result.stories_created, result.cases_opened) == (6, 3, 1)
    with db.read() as s:
        status = story_and_case_status(s, ids)
        story = s.get(StoryRow, status[ids[0]][0])
    assert len({status[i][0] for i in ids[:4]}) == 1
    assert len({status[i][0] for i in ids}) == 3
    assert status[ids[0]][1] == "new" and status[ids[4]][1] is None
    assert story.first_article_id == ids[0] and story.outlets[0] == "Báo 0"
    assert (story.article_count, story.outlet_count) == (4, 4)
    assert story.first_seen_at == NOW and story.last_seen_at == NOW + timedelta(hours=3)
    assert story.tone == "tieu_cuc" and story.targets == ["ca_kon_tum"]


def test_rerun_changes_nothing(db):
    ids = _seed_copies(db)
    run_queue_stage(db, ids, SETTINGS, NOW)
    with db.read() as s:
        before = s.execute(select(StoryRow.id, StoryRow.updated_at, StoryRow.article_count)).all()
    again = run_queue_stage(db, ids, SETTINGS, NOW)
    assert (
        again.assigned,
        again.stories_created,
        again.stories_updated,
        again.cases_opened,
        again.cases_raised,
    ) == (0, 0, 0, 0, 0)
    with db.read() as s:
        assert s.execute(select(StoryRow.id, StoryRow.updated_at, StoryRow.article_count)).all() == before
    assert _count(db, CaseEventRow) == 1


def test_refetched_story_never_reopens_or_duplicates_its_case(db):
    title, text = QUEUE_STORY
    with db.write() as s:
        src = seed_source(s)
        first = seed_article(s, src, title, text)
    run_queue_stage(db, [first], SETTINGS, NOW)
    with db.write() as s:  # a collaborator closed it
        s.execute(update(CaseRow).values(state="closed", verdict="irrelevant"))
    with db.write() as s:  # the same story comes back under a new URL and from a heavier outlet
        other = seed_source(s, "vnexpress", "VnExpress", weight=2.0)
        again = seed_article(s, other, title, text, at=NOW + timedelta(days=1))
    result = run_queue_stage(db, [again], SETTINGS, NOW + timedelta(days=1))
    assert (result.cases_opened, result.cases_raised) == (0, 0)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 1
        assert s.scalar(select(CaseRow.state)) == "closed"
        assert s.scalar(select(func.count(func.distinct(StoryArticleRow.story_id)))) == 1


def test_spread_raises_priority_and_writes_an_event(db):
    title, text = QUEUE_STORY
    with db.write() as s:
        srcs = [seed_source(s, f"p{i}", f"Báo {i}") for i in range(7)]
        ids = [seed_article(s, src, title, text, at=NOW + timedelta(minutes=i)) for i, src in enumerate(srcs)]
    run_queue_stage(db, ids[:1], SETTINGS, NOW)
    with db.read() as s:
        assert s.scalar(select(CaseRow.priority)) == "normal"
    result = run_queue_stage(db, ids[1:], SETTINGS, NOW + timedelta(minutes=10))
    assert result.cases_opened == 0 and result.cases_raised >= 1
    with db.read() as s:
        case = s.scalars(select(CaseRow)).one()
        actions = s.scalars(select(CaseEventRow.action).order_by(CaseEventRow.id)).all()
    assert case.priority == "critical" and case.deadline_at == NOW + timedelta(hours=2)
    assert any("lan ra" in r for r in case.priority_reasons)
    assert actions[0] == "open" and "priority" in actions


def test_two_workers_at_once_make_one_story_and_one_case(db):
    title, text = QUEUE_STORY
    with db.write() as s:
        srcs = [seed_source(s, f"w{i}", f"Báo {i}") for i in range(8)]
        ids = [seed_article(s, src, title, text, at=NOW + timedelta(minutes=i)) for i, src in enumerate(srcs)]
    errors: list[BaseException] = []

    def work(part):
        try:
            run_queue_stage(db, part, SETTINGS, NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ids[i::2],)) for i in range(2)]
    threads += [threading.Thread(target=work, args=(ids,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _count(db, StoryArticleRow) == 8 and _count(db, StoryRow) == 1 and _count(db, CaseRow) == 1


def test_volume_spike_queues_a_neutral_story(db):
    """Six different stories on one target within a day, none before: neutral ones get a case too."""
    with db.write() as s:
        src = seed_source(s)
        # the archive has been collecting for a month (an article without mentions), so a baseline exists
        seed_article(
            s,
            src,
            "Giá vàng tăng",
            "Giá vàng miếng tăng mạnh " * 5,
            flagged=False,
            tone="trung_tinh",
            targets=(),
            at=NOW - timedelta(days=30),
        )
        quiet = [
            seed_article(
                s,
                src,
                f"Tin số {i} về Đăk Glei",
                f"Nội dung riêng biệt số {i} " * (i + 3),
                flagged=False,
                tone="trung_tinh",
                targets=("dak_glei",),
                at=NOW - timedelta(hours=i),
            )
            for i in range(5)
        ]
        neutral = seed_article(
            s, src, *TRAFFIC_STORY, flagged=False, tone="trung_tinh", targets=("dak_glei",)
        )
    result = run_queue_stage(db, [*quiet, neutral], SETTINGS, NOW)
    assert result.cases_opened >= 1
    with db.read() as s:
        status = story_and_case_status(s, [quiet[0], neutral])
        reasons = s.scalar(select(CaseRow.priority_reasons).where(CaseRow.story_id == status[neutral][0]))
    assert status[neutral][1] == "new"
    assert any("đột biến" in r and "dak_glei" in r for r in reasons)


def _stage_worker(url, ids):
    """Child process: run the stage on `ids` with its own connections."""
    from monitor.store.db import Database

    database = Database(url)
    run_queue_stage(database, ids, SETTINGS, NOW)
    database.dispose()


def test_no_spike_before_the_archive_has_a_baseline(db):
    """A fresh install: the first fetch brings many articles on the target at once; that is not a spike."""
    with db.write() as s:
        src = seed_source(s)
        ids = [
            seed_article(
                s,
                src,
                f"Tin số {i} về Đăk Glei",
                f"Nội dung riêng biệt số {i} " * (i + 3),
                flagged=False,
                tone="trung_tinh",
                targets=("dak_glei",),
                at=NOW - timedelta(hours=i),
            )
            for i in range(8)
        ]
    result = run_queue_stage(db, ids, SETTINGS, NOW)
    assert result.cases_opened == 0


def test_two_worker_processes_at_once_make_one_story_and_one_case(db):
    import multiprocessing as mp

    title, text = QUEUE_STORY
    with db.write() as s:
        srcs = [seed_source(s, f"m{i}", f"Báo {i}") for i in range(10)]
        ids = [seed_article(s, src, title, text, at=NOW + timedelta(minutes=i)) for i, src in enumerate(srcs)]
    db.dispose()
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_stage_worker, args=(db.url, part)) for part in (ids, ids[::-1], ids[::2])]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert _count(db, StoryArticleRow) == 10 and _count(db, StoryRow) == 1 and _count(db, CaseRow) == 1


def test_a_lost_race_is_the_store_s_conflict_error(db: Database) -> None:
    """The stage retries on WriteConflictError: the store turns a lost race into it, other errors pass."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from monitor.errors import WriteConflictError

    with db.write() as s:
        seed_source(s, "baokontum", "Báo Kon Tum")
    with pytest.raises(WriteConflictError) as err, db.write_contended() as s:
        seed_source(s, "baokontum", "Báo Kon Tum")  # a second writer inserting the same unique key
    assert err.value.detail and "tiến trình khác" in err.value.message
    with pytest.raises(DBAPIError) as other, db.write_contended() as s:
        s.execute(text("SELECT no_such_column FROM sources"))
    assert not isinstance(other.value, WriteConflictError)


def test_the_pass_footer_tells_the_queue_part() -> None:
    from monitor.cli.fetch import format_footer
    from monitor.pipeline import PassReport
    from monitor.pipeline.queue import QueueReport

    queue = QueueReport(assigned=5, stories_created=2, cases_opened=1, cases_raised=1)
    assert queue.stories_joined == 3
    [line] = format_footer(PassReport(queue=queue))
    assert (
        line == "Câu chuyện: 2 mới, 3 bài nhập vào câu chuyện đã có; vụ việc: 1 mở mới, 1 nâng mức ưu tiên."
    )
