"""What the edges show of the queue: the listing and the case view, as plain frozen dataclasses.

Every edge (the CLI today, the web app and the e-mails next) calls these and renders what they return;
none of them computes "overdue", "who holds it" or a label itself. Filters come in validated
(`queue.inputs.parse_filter`); every id carries its Vietnamese word beside it (`vocab.label`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from monitor.errors import NotFoundError
from monitor.queue import response_service
from monitor.queue.inputs import Names, QueueFilter
from monitor.queue.response_service import ResponseView
from monitor.queue.responses import status_text
from monitor.queue.workflow import claim_active, is_overdue
from monitor.store import cases as store_cases
from monitor.store import relations as store_relations
from monitor.store import responses as store_responses
from monitor.store import stories as store_stories
from monitor.store import users as store_users
from monitor.timefmt import LOCAL_TZ
from monitor.vocab import Relation, label

if TYPE_CHECKING:
    from monitor.store.db import Database, Session


@dataclass(frozen=True)
class QueueLine:
    """One case of the queue listing."""

    case_id: int
    priority: str
    priority_label: str
    deadline_at: datetime
    overdue: bool
    title: str
    outlet_count: int
    tone: str | None
    tone_label: str
    topic: str | None
    topic_label: str
    state: str
    state_label: str
    assignee: str | None  # username the case is assigned to (its last claim, even if lapsed)
    holder: str | None  # username holding the claim right now, else None
    holder_name: str | None
    claim_expires_at: datetime | None = None  # while the claim is active
    assigned_to: str | None = None  # username a leader assigned the case to
    assigned_name: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """One page of the listing and where it sits among all matching cases."""

    lines: tuple[QueueLine, ...]
    page: int
    limit: int
    total: int  # at most COUNT_CAP
    capped: bool = False  # more than COUNT_CAP cases match: counting stopped there

    @property
    def pages(self) -> int:
        """How many pages the whole listing has (at least 1; at least this one and, capped, one more)."""
        counted = max(1, -(-self.total // self.limit))
        if not self.capped:
            return counted
        # counting stopped: there is a next page unless this one is the last and not full
        return max(counted, self.page + 1 if len(self.lines) == self.limit else self.page)

    @property
    def total_text(self) -> str:
        """The count as people read it: "1.234", or "hơn 10.000" when counting stopped."""
        text = f"{self.total:,}".replace(",", ".")
        return f"hơn {text}" if self.capped else text

    @property
    def pages_text(self) -> str:
        """The page count as people read it ("200+" when counting stopped)."""
        return f"{self.pages}+" if self.capped else str(self.pages)


@dataclass(frozen=True)
class MentionView:
    """A watched target named in an article, with the snippet around it."""

    target: str
    target_name: str
    alias: str
    snippet: str


@dataclass(frozen=True)
class ArticleView:
    """One article of the story, with the mentions found in it."""

    id: int
    outlet: str
    title: str
    url: str
    seen_at: datetime
    similarity: float | None
    mentions: tuple[MentionView, ...]


@dataclass(frozen=True)
class EventView:
    """One step of a case's history."""

    at: datetime
    actor: str | None  # None: the system
    action: str
    action_label: str
    from_state: str | None
    from_label: str
    to_state: str
    to_label: str
    note: str
    evidence: tuple[str, ...]
    detail: str = ""  # what a correction changed: "chủ đề → Giao thông; sắc thái → trung tính"


@dataclass(frozen=True)
class ResponseSummary:
    """The case's press response in one glance (its page: `response_service.view`)."""

    kind_label: str
    title: str
    version: int
    status: str  # "bản 2 đang chờ lãnh đạo duyệt", "đã đăng trên Báo Kon Tum lúc …"
    url: str | None
    channel: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class RelatedView:
    """Another story that may tell (or was judged to tell, or not) the same event as the case's story."""

    story_id: int
    case_id: int | None  # None: the other story has no case (it was not flagged)
    title: str
    outlet: str
    seen_at: datetime
    status: str  # vocab.Relation
    status_label: str
    score: float | None
    names: tuple[str, ...]
    decided_by: str | None
    decided_at: datetime | None

    @property
    def open(self) -> bool:
        """Still waiting for a collaborator to confirm or split."""
        return self.status == Relation.SUGGESTED


@dataclass(frozen=True)
class CaseView:
    """Everything a person needs to work a case."""

    case_id: int
    version: int
    title: str
    state: str
    state_label: str
    priority: str
    priority_label: str
    opened_at: datetime
    deadline_at: datetime
    overdue: bool
    holder: str | None  # only while the claim is active
    holder_name: str | None
    claim_expires_at: datetime | None
    assigned_to: str | None
    assigned_name: str | None
    verdict: str | None
    verdict_label: str | None
    response_url: str | None  # the published response
    first_outlet: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlets: tuple[str, ...]
    targets: tuple[str, ...]  # display names
    topic: str | None
    topic_label: str
    topic_reason: str | None
    tone: str | None
    tone_label: str
    tone_score: float | None
    tone_reason: str | None
    reasons: tuple[str, ...]  # why it was flagged, then why it has its priority
    articles: tuple[ArticleView, ...] = ()
    history: tuple[EventView, ...] = field(default=())
    response: ResponseSummary | None = None
    related: tuple[RelatedView, ...] = ()


# A listing counts its cases up to here: beyond, "hơn 10.000" says enough and counting 100,000 open cases
# on every page and every poll would cost more than the page itself.
COUNT_CAP = 10_000


def queue_listing(db: Database, f: QueueFilter, now: datetime) -> QueuePage:
    """One page of the queue for filter `f`, most urgent first (an unknown assignee is NotFoundError)."""
    with db.read() as session:
        holder_id = store_users.get_user(session, f.assignee).id if f.assignee else None
        assigned_id = store_users.get_user(session, f.assigned).id if f.assigned else None
        query = store_cases.QueueQuery(
            states=f.statuses,
            priorities=f.priorities,
            topics=f.topics,
            tones=f.tones,
            targets=f.targets,
            outlets=f.outlets,
            holder_id=holder_id,
            assigned_id=assigned_id,
            opened_from=_day_start(f.opened_from),
            opened_before=_day_start(f.opened_to, days=1),
        )
        items = store_cases.queue_page(session, query=query, limit=f.limit, offset=(f.page - 1) * f.limit)
        total = store_cases.queue_count(session, query, cap=COUNT_CAP)
    lines = tuple(queue_line(q, now) for q in items)
    return QueuePage(lines, f.page, f.limit, min(total, COUNT_CAP), capped=total > COUNT_CAP)


def _day_start(day: date | None, days: int = 0) -> datetime | None:
    """Midnight (Vietnam time) starting `day`, plus `days` days."""
    if day is None:
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return start + timedelta(days=days)


def queue_line(q: store_cases.QueueItem, now: datetime) -> QueueLine:
    """One stored queue item as the edges show it (labels, overdue, the active holder)."""
    active = claim_active(q.holder, q.claim_expires_at, now)
    return QueueLine(
        case_id=q.case_id,
        priority=q.priority,
        priority_label=label(q.priority),
        deadline_at=q.deadline_at,
        overdue=is_overdue(q.deadline_at, q.state, now),
        title=q.title,
        outlet_count=q.outlet_count,
        tone=q.tone,
        tone_label=label(q.tone),
        topic=q.topic,
        topic_label=label(q.topic),
        state=q.state,
        state_label=label(q.state),
        assignee=q.holder,
        holder=q.holder if active else None,
        holder_name=q.holder_name if active else None,
        claim_expires_at=q.claim_expires_at if active else None,
        assigned_to=q.assigned_to,
        assigned_name=q.assigned_name,
    )


@dataclass(frozen=True)
class CasePage:
    """The case page of one viewer: the case, and its press response as this viewer may work it."""

    case: CaseView
    response: ResponseView


@dataclass(frozen=True)
class _CaseRecord:
    """What the store holds about a case, read in one session."""

    case: store_cases.CaseInfo
    story: store_stories.StoryDetail
    events: list[store_cases.EventInfo]
    response: store_responses.ResponseInfo | None
    related: list[store_relations.RelatedStory]


def _read_case(session: Session, case_id: int) -> _CaseRecord:
    found = store_cases.case_and_story(session, case_id)
    if found is None:
        raise NotFoundError(f"Không có vụ việc #{case_id}.")
    case, story = found
    if story is None:  # a case always has its story (foreign key); say so rather than crash
        raise NotFoundError(f"Vụ việc #{case_id} không còn câu chuyện gốc.")
    events = store_cases.case_events(session, case_id)
    resp = store_responses.get_response(session, case_id)
    related = store_relations.related_stories(session, case.story_id)
    return _CaseRecord(case, story, events, resp, related)


def case_view(db: Database, case_id: int, now: datetime, names: Names | None = None) -> CaseView:
    """The case with its story, articles (each with its mentions), reasons and history."""
    with db.read() as session:
        record = _read_case(session, case_id)
    return _case_view(record, now, names or Names())


def case_page(
    db: Database, case_id: int, username: str, now: datetime, names: Names | None = None
) -> CasePage:
    """`case_view` and the response part (`response_service.view`) in one read: the case and its response
    are read once for both (the web's case page)."""
    with db.read() as session:
        viewer = store_users.get_user(session, username)
        record = _read_case(session, case_id)
        response = response_service.view_of(session, record.case, record.response, viewer, now)
    return CasePage(_case_view(record, now, names or Names()), response)


def _case_view(record: _CaseRecord, now: datetime, names: Names) -> CaseView:
    case, story = record.case, record.story
    active = claim_active(case.holder, case.claim_expires_at, now)
    return CaseView(
        case_id=case.id,
        version=case.version,
        title=story.title,
        state=case.state,
        state_label=label(case.state),
        priority=case.priority,
        priority_label=label(case.priority),
        opened_at=case.opened_at,
        deadline_at=case.deadline_at,
        overdue=is_overdue(case.deadline_at, case.state, now),
        holder=case.holder if active else None,
        holder_name=case.holder_name if active else None,
        claim_expires_at=case.claim_expires_at if active else None,
        assigned_to=case.assignee,
        assigned_name=case.assignee_name,
        verdict=case.verdict,
        verdict_label=label(case.verdict) if case.verdict else None,
        response_url=case.response_url,
        first_outlet=story.first_source,
        first_seen_at=story.first_seen_at,
        last_seen_at=story.last_seen_at,
        article_count=story.article_count,
        outlets=tuple(story.outlets),
        targets=tuple(names.target(t) for t in story.targets),
        topic=story.topic,
        topic_label=label(story.topic),
        topic_reason=story.topic_reason,
        tone=story.tone,
        tone_label=label(story.tone),
        tone_score=story.tone_score,
        tone_reason=story.tone_reason,
        reasons=(*story.flag_reasons, *case.priority_reasons),
        articles=_articles(story, names.targets),
        history=tuple(_event(e) for e in record.events),
        response=_response(record.response, case.state),
        related=tuple(_related(r) for r in record.related),
    )


def _related(r: store_relations.RelatedStory) -> RelatedView:
    return RelatedView(
        r.story_id,
        r.case_id,
        r.title,
        r.first_source,
        r.first_seen_at,
        r.status,
        label(r.status),
        r.score,
        r.names,
        r.decided_by,
        r.decided_at,
    )


def _response(r: store_responses.ResponseInfo | None, state: str) -> ResponseSummary | None:
    if r is None:
        return None
    return ResponseSummary(
        label(r.kind), r.title, r.version, status_text(r, state), r.url, r.channel, r.published_at
    )


def _articles(story: store_stories.StoryDetail, targets: Mapping[str, str]) -> tuple[ArticleView, ...]:
    """The story's articles, each with the mentions found in it (grouped by article)."""
    by_article: dict[int, list[MentionView]] = {}
    for m in story.mentions:
        view = MentionView(m.target, targets.get(m.target, m.target), m.alias, m.snippet)
        by_article.setdefault(m.article_id, []).append(view)
    return tuple(
        ArticleView(a.id, a.source, a.title, a.url, a.seen_at, a.similarity, tuple(by_article.get(a.id, ())))
        for a in story.articles
    )


def event_detail(data: Mapping[str, object]) -> str:
    """What an event corrected, in Vietnamese (pure): every correction stays readable in the history."""
    parts = []
    if data.get("correct_topic"):
        parts.append(f"chủ đề → {label(str(data['correct_topic']))}")
    if data.get("correct_tone"):
        parts.append(f"sắc thái → {label(str(data['correct_tone']))}")
    if data.get("wrong_target"):
        parts.append("sai đối tượng theo dõi")
    return "; ".join(parts)


def _event(e: store_cases.EventInfo) -> EventView:
    return EventView(
        at=e.at,
        actor=e.actor,
        action=e.action,
        action_label=label(e.action),
        from_state=e.from_state,
        from_label=label(e.from_state),
        to_state=e.to_state,
        to_label=label(e.to_state),
        note=e.note,
        evidence=tuple(e.evidence),
        detail=event_detail(e.data),
    )


def lines_as_records(page: QueuePage) -> list[dict[str, object]]:
    """The listing as plain records (ids and labels, ISO dates with +07:00): for JSON output."""
    return [
        {
            "case_id": q.case_id,
            "priority": q.priority,
            "priority_label": q.priority_label,
            "deadline_at": q.deadline_at.astimezone(LOCAL_TZ).isoformat(),
            "overdue": q.overdue,
            "title": q.title,
            "outlet_count": q.outlet_count,
            "tone": q.tone,
            "tone_label": q.tone_label,
            "topic": q.topic,
            "topic_label": q.topic_label,
            "status": q.state,
            "status_label": q.state_label,
            "assignee": q.assignee,
        }
        for q in page.lines
    ]
