"""Cases: opening, priority, claims and decisions as single conditional UPDATEs, events, the queue listing.

Every claim and decision is ONE `UPDATE cases … WHERE id AND version [AND claim is free or mine]` whose
rowcount says whether we won; a SELECT-then-UPDATE double-claims under concurrency. The event rows are
inserted in the same transaction, so a crash leaves either both or neither.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from monitor.store.base import table_of
from monitor.store.db import affected_rows, among, upsert_insert
from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryArticleRow, StoryRow, UserRow
from monitor.store.stories import StoryDetail, detail_of
from monitor.store.tables import ArticleRow, MentionRow, SourceRow

log = logging.getLogger(__name__)

OPEN = "open"  # pseudo-status: every state but closed


@dataclass(frozen=True)
class CaseInfo:
    """A case as the workflow and the CLI see it."""

    id: int
    story_id: int
    state: str
    priority: str
    priority_reasons: list[str]
    priority_locked: bool
    opened_at: datetime
    deadline_at: datetime
    updated_at: datetime
    version: int
    holder: str | None
    holder_name: str | None
    claim_expires_at: datetime | None
    verdict: str | None
    response_url: str | None
    closed_at: datetime | None
    assignee: str | None = None  # the collaborator a leader assigned the case to
    assignee_name: str | None = None


@dataclass(frozen=True)
class EventInfo:
    """One row of a case's history."""

    at: datetime
    actor: str | None
    action: str
    from_state: str | None
    to_state: str
    version: int
    note: str
    evidence: list[str]
    data: dict[str, Any] = field(default_factory=dict)  # the decision's facts (verdict, corrected labels…)


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue."""

    case_id: int
    priority: str
    deadline_at: datetime
    title: str
    outlet_count: int
    tone: str | None
    topic: str | None
    state: str
    holder: str | None
    claim_expires_at: datetime | None
    holder_name: str | None = None
    opened_at: datetime | None = None
    assigned_to: str | None = None  # username a leader assigned the case to
    assigned_name: str | None = None


@dataclass(frozen=True)
class Change:
    """What a decision writes: the new columns and one event per workflow step."""

    action: str
    state: str
    steps: Sequence[tuple[str | None, str]]
    values: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    evidence: Sequence[str] = ()
    data: dict[str, Any] = field(default_factory=dict)


def _info(c: CaseRow, u: UserRow | None, a: UserRow | None = None) -> CaseInfo:
    return CaseInfo(
        c.id,
        c.story_id,
        c.state,
        c.priority,
        list(c.priority_reasons or []),
        c.priority_locked,
        c.opened_at,
        c.deadline_at,
        c.updated_at,
        c.version,
        u.username if u else None,
        u.name if u else None,
        c.claim_expires_at,
        c.verdict,
        c.response_url,
        c.closed_at,
        a.username if a else None,
        a.name if a else None,
    )


# The users a case names, each its own alias of `users`. Built once: an alias made per call costs more
# Python time than a small query (SQLAlchemy adapts each of its columns again, on every call).
HOLDER = aliased(UserRow, name="holder")
ASSIGNEE = aliased(UserRow, name="assignee")


def get_case(session: Session, case_id: int) -> CaseInfo | None:
    """A case with its claim holder's and its assignee's usernames."""
    assignee = ASSIGNEE
    row = session.execute(
        select(CaseRow, UserRow, assignee)
        .outerjoin(UserRow, UserRow.id == CaseRow.claimed_by)
        .outerjoin(assignee, assignee.id == CaseRow.assignee_id)
        .where(CaseRow.id == case_id)
    ).first()
    return _info(row[0], row[1], row[2]) if row else None


def case_and_story(
    session: Session, case_id: int, max_articles: int = 50
) -> tuple[CaseInfo, StoryDetail | None] | None:
    """`get_case` and the `story_detail` of its story, in two round trips instead of four (the case page)."""
    row = session.execute(
        select(CaseRow, HOLDER, ASSIGNEE, StoryRow, SourceRow.name)
        .outerjoin(HOLDER, HOLDER.id == CaseRow.claimed_by)
        .outerjoin(ASSIGNEE, ASSIGNEE.id == CaseRow.assignee_id)
        .outerjoin(StoryRow, StoryRow.id == CaseRow.story_id)
        .outerjoin(SourceRow, SourceRow.id == StoryRow.first_source_id)
        .where(CaseRow.id == case_id)
    ).first()
    if row is None:
        return None
    case, holder, assignee, story, first_name = row
    detail = detail_of(session, story, first_name, max_articles) if story is not None else None
    return _info(case, holder, assignee), detail


def case_of_story(session: Session, story_id: int) -> CaseInfo | None:
    """The one case of a story, if it has one."""
    cid = session.scalar(select(CaseRow.id).where(CaseRow.story_id == story_id))
    return get_case(session, cid) if cid is not None else None


def cases_of_stories(session: Session, story_ids: Sequence[int]) -> dict[int, CaseInfo]:
    """The case of each of these stories that has one (one query for a whole batch)."""
    out: dict[int, CaseInfo] = {}
    for cond in among(session, CaseRow.story_id, list(story_ids), BigInteger):
        rows = session.execute(
            select(CaseRow, UserRow).outerjoin(UserRow, UserRow.id == CaseRow.claimed_by).where(cond)
        )
        out.update({c.story_id: _info(c, u) for c, u in rows})
    return out


def _events(
    session: Session, case_id: int, actor_id: int | None, change: Change, version: int, now: datetime
) -> None:
    from monitor.store.event_chain import event_hash, last_hash

    prev = last_hash(session, case_id)
    rows = []
    for f, t in change.steps:
        row = {
            "case_id": case_id,
            "at": now,
            "actor_id": actor_id,
            "action": change.action,
            "from_state": f,
            "to_state": t,
            "version": version,
            "note": change.note,
            "evidence": list(change.evidence),
            "data": change.data,
        }
        prev = row["chain_hash"] = event_hash(prev, row)
        rows.append(row)
    session.execute(table_of(CaseEventRow).insert(), rows)


@dataclass(frozen=True)
class NewCase:
    """A case the queue stage opens for a story (unless the story ever had one)."""

    story_id: int
    priority: str
    rank: int
    reasons: Sequence[str]
    deadline_at: datetime


def open_cases(session: Session, cases: Sequence[NewCase], now: datetime) -> dict[int, int]:
    """`open_case` for a batch: one INSERT … ON CONFLICT DO NOTHING and one INSERT of open events.

    Returns story id → new case id for the cases actually opened (a story's case is opened once, ever).
    """
    if not cases:
        return {}
    t = table_of(CaseRow)
    stmt = (
        upsert_insert(session, t)
        .on_conflict_do_nothing(index_elements=["story_id"])
        .returning(t.c.id, t.c.story_id)
    )
    rows = [
        dict(
            story_id=c.story_id,
            state="new",
            priority=c.priority,
            priority_rank=c.rank,
            priority_reasons=list(c.reasons),
            priority_locked=False,
            opened_at=now,
            deadline_at=c.deadline_at,
            updated_at=now,
            version=1,
        )
        for c in cases
    ]
    opened = {story_id: case_id for case_id, story_id in session.execute(stmt, rows)}
    priority = {c.story_id: c.priority for c in cases}
    if opened:
        from monitor.store.event_chain import event_hash

        events: list[dict[str, Any]] = [
            dict(
                case_id=case_id,
                at=now,
                actor_id=None,
                action="open",
                from_state=None,
                to_state="new",
                version=1,
                note="",
                evidence=[],
                data={"priority": priority[story_id]},
            )
            for story_id, case_id in opened.items()
        ]
        for event in events:  # a case's first event starts its hash chain (`monitor db check`)
            event["chain_hash"] = event_hash(None, event)
        session.execute(table_of(CaseEventRow).insert(), events)
    for story_id, case_id in opened.items():
        log.info(
            "case opened", extra={"case_id": case_id, "story_id": story_id, "priority": priority[story_id]}
        )
    return opened


def open_case(
    session: Session,
    story_id: int,
    priority: str,
    rank: int,
    reasons: Sequence[str],
    deadline_at: datetime,
    now: datetime,
) -> int | None:
    """Open the story's case unless it already has one (ever); the new case id, or None."""
    result = session.execute(
        upsert_insert(session, CaseRow)
        .values(
            story_id=story_id,
            state="new",
            priority=priority,
            priority_rank=rank,
            priority_reasons=list(reasons),
            priority_locked=False,
            opened_at=now,
            deadline_at=deadline_at,
            updated_at=now,
            version=1,
        )
        .on_conflict_do_nothing(index_elements=["story_id"])
        .returning(CaseRow.id)
    )
    case_id = result.scalar()
    if case_id is not None:
        _events(
            session,
            case_id,
            None,
            Change("open", "new", [(None, "new")], data={"priority": priority}),
            1,
            now,
        )
        log.info("case opened", extra={"case_id": case_id, "story_id": story_id, "priority": priority})
    return case_id


def raise_priority(
    session: Session,
    case_id: int,
    priority: str,
    rank: int,
    reasons: Sequence[str],
    deadline_at: datetime,
    now: datetime,
) -> bool:
    """Raise an open, unlocked case's priority (never lowers it); True if it changed."""
    t = table_of(CaseRow)
    new_version = session.execute(
        t.update()
        .where(
            t.c.id == case_id, t.c.priority_rank > rank, t.c.priority_locked.is_(False), t.c.state != "closed"
        )
        .values(
            priority=priority,
            priority_rank=rank,
            priority_reasons=list(reasons),
            updated_at=now,
            deadline_at=deadline_at,
            version=t.c.version + 1,
        )
        .returning(t.c.version, t.c.state)
    ).first()
    if new_version is None:
        return False
    state = new_version[1]
    _events(
        session,
        case_id,
        None,
        Change("priority", state, [(state, state)], data={"priority": priority}),
        new_version[0],
        now,
    )
    log.info("case priority raised", extra={"case_id": case_id, "priority": priority})
    return True


def claim_free_or_mine(actor_id: int, now: datetime) -> ColumnElement[bool]:
    """The claim condition of a decision: nobody holds it, the claim expired, or it is mine.

    The SQL form of `not queue.workflow.claim_active(...) or holder is the actor` (a test checks both agree).
    """
    return or_(CaseRow.claimed_by.is_(None), CaseRow.claim_expires_at < now, CaseRow.claimed_by == actor_id)


def apply_change(
    session: Session,
    case_id: int,
    version: int,
    actor_id: int,
    change: Change,
    now: datetime,
    *,
    guard_claim: bool,
) -> int | None:
    """Apply `change` iff the case is still at `version` (and the claim allows it); the new version or None."""
    t = table_of(CaseRow)
    cond = and_(CaseRow.id == case_id, CaseRow.version == version)
    if guard_claim:
        cond = and_(cond, claim_free_or_mine(actor_id, now))
    values = {"state": change.state, "updated_at": now, "version": t.c.version + 1, **change.values}
    if change.state == "closed":
        values["closed_at"] = now
    result = session.execute(t.update().where(cond).values(**values))
    if affected_rows(result) != 1:
        return None
    _events(session, case_id, actor_id, change, version + 1, now)
    log.info("case transition", extra={"case_id": case_id, "action": change.action, "state": change.state})
    return version + 1


def case_events(session: Session, case_id: int) -> list[EventInfo]:
    """A case's history, oldest first (read-only: there is no function to change it)."""
    rows = session.execute(
        select(CaseEventRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == CaseEventRow.actor_id)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.id)
    ).all()
    return [
        EventInfo(
            e.at,
            u,
            e.action,
            e.from_state,
            e.to_state,
            e.version,
            e.note,
            list(e.evidence or []),
            dict(e.data or {}),
        )
        for e, u in rows
    ]


# --- the queue: each filter is one named function -------------------------------------------------------


def is_open() -> ColumnElement[bool]:
    """Cases still being worked (anything but closed)."""
    return CaseRow.state != "closed"


def held_by(user_id: int) -> ColumnElement[bool]:
    """Cases the user has claimed (whatever the state)."""
    return CaseRow.claimed_by == user_id


def assigned_to(user_id: int) -> ColumnElement[bool]:
    """Cases a leader assigned to the user."""
    return CaseRow.assignee_id == user_id


def assigned_open_case_ids(session: Session, user_id: int) -> list[int]:
    """The open cases a leader assigned to the user."""
    q = select(CaseRow.id).where(assigned_to(user_id), is_open())
    return list(session.scalars(q.order_by(CaseRow.id)))


def in_states(states: Sequence[str]) -> ColumnElement[bool]:
    """Cases in one of `states` ("open" means every state but closed)."""
    if OPEN in states:
        return is_open() if len(states) == 1 else or_(is_open(), CaseRow.state.in_(list(states)))
    return CaseRow.state.in_(list(states))


def about_targets(targets: Sequence[str]) -> ColumnElement[bool]:
    """Cases whose story has an article mentioning one of these watch targets (keys)."""
    return (
        select(MentionRow.id)
        .join(StoryArticleRow, StoryArticleRow.article_id == MentionRow.article_id)
        .where(StoryArticleRow.story_id == CaseRow.story_id, MentionRow.target.in_(list(targets)))
        .exists()
    )


def carried_by(outlets: Sequence[str]) -> ColumnElement[bool]:
    """Cases whose story has an article from one of these outlets (source keys)."""
    return (
        select(ArticleRow.id)
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(StoryArticleRow.story_id == CaseRow.story_id, SourceRow.key.in_(list(outlets)))
        .exists()
    )


@dataclass(frozen=True)
class QueueQuery:
    """Which cases a queue listing shows (every field a filter; empty = no filter)."""

    states: Sequence[str] = (OPEN,)
    priorities: Sequence[str] = ()
    topics: Sequence[str] = ()
    tones: Sequence[str] = ()
    targets: Sequence[str] = ()
    outlets: Sequence[str] = ()
    holder_id: int | None = None
    assigned_id: int | None = None
    opened_from: datetime | None = None  # inclusive
    opened_before: datetime | None = None  # exclusive


def queue_conditions(q: QueueQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a listing (over cases joined to their stories); search reuses them."""
    conds = [in_states(q.states)] if q.states else []
    if q.priorities:
        conds.append(CaseRow.priority.in_(list(q.priorities)))
    if q.topics:
        conds.append(StoryRow.topic.in_(list(q.topics)))
    if q.tones:
        conds.append(StoryRow.tone.in_(list(q.tones)))
    if q.targets:
        conds.append(about_targets(q.targets))
    if q.outlets:
        conds.append(carried_by(q.outlets))
    if q.holder_id is not None:
        conds.append(held_by(q.holder_id))
    if q.assigned_id is not None:
        conds.append(assigned_to(q.assigned_id))
    if q.opened_from is not None:
        conds.append(CaseRow.opened_at >= q.opened_from)
    if q.opened_before is not None:
        conds.append(CaseRow.opened_at < q.opened_before)
    return conds


def queue_page(
    session: Session,
    *,
    states: Sequence[str] = (OPEN,),
    priorities: Sequence[str] = (),
    user_id: int | None = None,
    query: QueueQuery | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[QueueItem]:
    """One page of the queue, most urgent first (priority rank, then deadline).

    `query` carries every filter; `states`, `priorities` and `user_id` are shorthands used when it is None.
    """
    query = query or QueueQuery(states=states, priorities=priorities, holder_id=user_id)
    holder, assignee = HOLDER, ASSIGNEE
    q = (
        select(
            CaseRow.id,
            CaseRow.priority,
            CaseRow.deadline_at,
            StoryRow.title,
            StoryRow.outlet_count,
            StoryRow.tone,
            StoryRow.topic,
            CaseRow.state,
            holder.username,
            CaseRow.claim_expires_at,
            holder.name,
            CaseRow.opened_at,
            assignee.username,
            assignee.name,
        )
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .outerjoin(holder, holder.id == CaseRow.claimed_by)
        .outerjoin(assignee, assignee.id == CaseRow.assignee_id)
        .where(CaseRow.id.in_(_page_ids(query, limit, offset)))
        .order_by(*_QUEUE_ORDER)
    )
    return [QueueItem(*row) for row in session.execute(q)]


_QUEUE_ORDER = (CaseRow.priority_rank, CaseRow.deadline_at, CaseRow.id)  # most urgent first


def _matching(query: QueueQuery) -> Select[tuple[int]]:
    """The ids of the cases a listing matches; stories are joined only when a filter reads them, so the
    common listings are answered from the cases index alone (ix_cases_priority_queue carries the state)."""
    q = select(CaseRow.id).where(*queue_conditions(query))
    if query.topics or query.tones:
        q = q.join(StoryRow, StoryRow.id == CaseRow.story_id)
    return q


def _page_ids(query: QueueQuery, limit: int, offset: int) -> Select[tuple[int]]:
    """One page of matching case ids, found before anything else is joined (a deep page skips index
    entries, not joined rows)."""
    return _matching(query).order_by(*_QUEUE_ORDER).limit(limit).offset(offset)


def queue_count(session: Session, query: QueueQuery, *, cap: int | None = None) -> int:
    """How many cases the listing `query` matches (for paging); with `cap`, counting stops at cap + 1."""
    matching = _matching(query)
    if cap is not None:
        matching = matching.limit(cap + 1)
    return int(session.scalar(select(func.count()).select_from(matching.subquery())) or 0)


def story_and_case_status(
    session: Session, article_ids: Sequence[int]
) -> dict[int, tuple[int | None, str | None]]:
    """For export: each article's story id and its story's case state (None when absent)."""
    out: dict[int, tuple[int | None, str | None]] = dict.fromkeys(article_ids, (None, None))
    ids = list(article_ids)
    for i in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        rows = session.execute(
            select(StoryArticleRow.article_id, StoryArticleRow.story_id, CaseRow.state)
            .outerjoin(CaseRow, CaseRow.story_id == StoryArticleRow.story_id)
            .where(StoryArticleRow.article_id.in_(ids[i : i + 500]))
        )
        for aid, sid, state in rows:
            out[aid] = (sid, state)
    return out
