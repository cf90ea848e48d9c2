"""Press responses in the database: the current text, every version, comments, and the case facts a
correction request cites. Writes happen inside the caller's transaction, next to the case's own
conditional UPDATE, so a response never moves without its case (and the other way round)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryArticleRow, UserRow
from monitor.store.response_tables import ResponseCommentRow, ResponseRow, ResponseVersionRow
from monitor.store.tables import ArticleRow, MentionRow, SourceRow


@dataclass(frozen=True)
class ResponseInfo:
    """A case's response as it stands."""

    id: int
    case_id: int
    kind: str
    title: str
    body: str
    outlet_key: str | None
    outlet_name: str | None
    version: int
    submitted_version: int | None
    approved_version: int | None
    approved_by: str | None  # username
    approved_at: datetime | None
    channel: str | None
    url: str | None
    published_at: datetime | None
    published_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class VersionInfo:
    """One saved version of the text."""

    version: int
    kind: str
    title: str
    body: str
    outlet_key: str | None
    outlet_name: str | None
    author: str
    author_name: str
    at: datetime


@dataclass(frozen=True)
class CommentInfo:
    """One comment (or a leader's reason for returning or approving)."""

    version: int
    action: str
    author: str
    author_name: str
    at: datetime
    text: str


@dataclass(frozen=True)
class ArticleRef:
    """An article of a case's story, with the first passage that mentions a target."""

    source_key: str
    source_name: str
    title: str
    url: str
    published_at: datetime
    snippet: str | None


@dataclass(frozen=True)
class Draft:
    """The columns of one version (the store's own shape; the queue layer validates it)."""

    kind: str
    title: str
    body: str
    outlet_key: str | None
    outlet_name: str | None


_APPROVER = aliased(UserRow, name="approver")  # built once (an alias per call costs more than the query)
_PUBLISHER = aliased(UserRow, name="publisher")


def get_response(session: Session, case_id: int) -> ResponseInfo | None:
    """The response of a case, or None when nobody has drafted one."""
    approver, publisher = _APPROVER, _PUBLISHER
    row = session.execute(
        select(ResponseRow, approver.username, publisher.username)
        .outerjoin(approver, approver.id == ResponseRow.approved_by)
        .outerjoin(publisher, publisher.id == ResponseRow.published_by)
        .where(ResponseRow.case_id == case_id)
    ).first()
    if row is None:
        return None
    r = row[0]
    return ResponseInfo(
        r.id,
        r.case_id,
        r.kind,
        r.title,
        r.body,
        r.outlet_key,
        r.outlet_name,
        r.version,
        r.submitted_version,
        r.approved_version,
        row[1],
        r.approved_at,
        r.channel,
        r.url,
        r.published_at,
        row[2],
        r.created_at,
        r.updated_at,
    )


def save_version(session: Session, case_id: int, draft: Draft, author_id: int, now: datetime) -> int:
    """Store `draft` as the case response's next version (creating the response); that version number."""
    row = session.scalar(select(ResponseRow).where(ResponseRow.case_id == case_id))
    if row is None:
        row = ResponseRow(case_id=case_id, version=0, created_by=author_id, created_at=now)
        session.add(row)
    row.kind, row.title, row.body = draft.kind, draft.title, draft.body
    row.outlet_key, row.outlet_name = draft.outlet_key, draft.outlet_name
    row.version += 1
    row.submitted_version = row.approved_version = row.approved_by = row.approved_at = None
    row.updated_at = now
    session.flush()
    session.add(
        ResponseVersionRow(
            response_id=row.id,
            version=row.version,
            kind=draft.kind,
            title=draft.title,
            body=draft.body,
            outlet_key=draft.outlet_key,
            outlet_name=draft.outlet_name,
            author_id=author_id,
            at=now,
        )
    )
    session.flush()
    return row.version


def _row(session: Session, response_id: int) -> ResponseRow:
    row = session.get(ResponseRow, response_id)
    assert row is not None, response_id
    return row


def mark_submitted(session: Session, response_id: int, now: datetime) -> None:
    """The current version was sent for approval."""
    row = _row(session, response_id)
    row.submitted_version, row.updated_at = row.version, now


def mark_approved(session: Session, response_id: int, user_id: int, now: datetime) -> None:
    """A leader approved the current version."""
    row = _row(session, response_id)
    row.approved_version, row.approved_by, row.approved_at, row.updated_at = row.version, user_id, now, now


def mark_returned(session: Session, response_id: int, now: datetime) -> None:
    """A leader sent it back: neither submitted nor approved any more."""
    row = _row(session, response_id)
    row.submitted_version = row.approved_version = row.approved_by = row.approved_at = None
    row.updated_at = now


def mark_published(
    session: Session, response_id: int, channel: str, url: str, at: datetime, user_id: int, now: datetime
) -> None:
    """Record where, when and by whom the approved response was published."""
    row = _row(session, response_id)
    row.channel, row.url, row.published_at, row.published_by, row.updated_at = channel, url, at, user_id, now


def add_comment(
    session: Session, response_id: int, version: int, action: str, author_id: int, text: str, now: datetime
) -> None:
    """Append a comment (append-only: there is no function to change one)."""
    session.add(
        ResponseCommentRow(
            response_id=response_id, version=version, action=action, author_id=author_id, at=now, text=text
        )
    )
    session.flush()


def versions(session: Session, response_id: int) -> list[VersionInfo]:
    """Every saved version, oldest first."""
    rows = session.execute(
        select(ResponseVersionRow, UserRow.username, UserRow.name)
        .join(UserRow, UserRow.id == ResponseVersionRow.author_id)
        .where(ResponseVersionRow.response_id == response_id)
        .order_by(ResponseVersionRow.version)
    ).all()
    return [
        VersionInfo(v.version, v.kind, v.title, v.body, v.outlet_key, v.outlet_name, u, n, v.at)
        for v, u, n in rows
    ]


def comments(session: Session, response_id: int) -> list[CommentInfo]:
    """Every comment, oldest first."""
    rows = session.execute(
        select(ResponseCommentRow, UserRow.username, UserRow.name)
        .join(UserRow, UserRow.id == ResponseCommentRow.author_id)
        .where(ResponseCommentRow.response_id == response_id)
        .order_by(ResponseCommentRow.id)
    ).all()
    return [CommentInfo(c.version, c.action, u, n, c.at, c.text) for c, u, n in rows]


def case_articles(session: Session, case_id: int, limit: int = 50) -> list[ArticleRef]:
    """The articles of a case's story, first published first, each with its first mention's snippet."""
    seen = func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)
    rows = session.execute(
        select(ArticleRow.id, SourceRow.key, SourceRow.name, ArticleRow.title, ArticleRow.canonical_url, seen)
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        .join(CaseRow, CaseRow.story_id == StoryArticleRow.story_id)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(CaseRow.id == case_id)
        .order_by(seen, ArticleRow.id)
        .limit(limit)
    ).all()
    snippets: dict[int, str] = {}
    if rows:
        for aid, snippet in session.execute(
            select(MentionRow.article_id, MentionRow.snippet)
            .where(MentionRow.article_id.in_([r[0] for r in rows]))
            .order_by(MentionRow.article_id, MentionRow.start)
        ):
            snippets.setdefault(aid, snippet)
    return [ArticleRef(r[1], r[2], r[3], r[4], r[5], snippets.get(r[0])) for r in rows]


def verdict_record(session: Session, case_id: int) -> tuple[str, list[str]]:
    """The note and evidence links of the case's latest verdict ("" and [] when none)."""
    row = session.execute(
        select(CaseEventRow.note, CaseEventRow.evidence)
        .where(CaseEventRow.case_id == case_id, CaseEventRow.action == "verify")
        .order_by(CaseEventRow.id.desc())
        .limit(1)
    ).first()
    return (row[0] or "", list(row[1] or [])) if row else ("", [])


def source_name(session: Session, key: str) -> str | None:
    """The display name of the configured source `key`, or None."""
    return session.scalar(select(SourceRow.name).where(SourceRow.key == key))


def returned_version(session: Session, response_id: int) -> int | None:
    """The version a leader last returned (None when never returned)."""
    return session.scalar(
        select(func.max(ResponseCommentRow.version)).where(
            ResponseCommentRow.response_id == response_id, ResponseCommentRow.action == "return"
        )
    )
