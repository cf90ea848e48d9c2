"""Stories: what the queue stage reads about articles, LSH candidate lookup, membership and aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, bindparam, func, literal, select, text, update
from sqlalchemy.orm import Session

from monitor.store.base import table_of
from monitor.store.db import IN_CHUNK, affected_rows, among, insert_new, upsert_insert
from monitor.store.queue_tables import ArticleSignatureRow, StoryArticleRow, StoryBandRow, StoryRow
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow

# Any constant shared by every worker: story assignment is serialised on PostgreSQL so two workers never
# found two stories for two copies of the same text at the same moment (SQLite's BEGIN IMMEDIATE does this).
_ASSIGN_LOCK = 4_202_611_270


@dataclass(frozen=True)
class StageArticle:
    """An analysed article as the queue stage sees it."""

    id: int
    title: str
    text: str
    source_id: int
    source_name: str
    weight: float
    seen_at: datetime
    flagged: bool
    flag_reasons: tuple[str, ...]
    topic: str | None
    topic_score: float | None
    topic_reason: str | None
    tone: str | None
    tone_score: float | None
    tone_reason: str | None
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A stored article whose LSH bands collide with a new one."""

    article_id: int
    story_id: int
    minhash: bytes
    shingles: int


def lock_assignment(session: Session) -> None:
    """Serialise story assignment across PostgreSQL workers until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ASSIGN_LOCK})


def story_seen_at() -> ColumnElement[datetime]:
    """The only definition of when an article was seen, for its story: published, else fetched."""
    return func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)


def load_stage_articles(
    session: Session, article_ids: Sequence[int], *, with_text: bool = True
) -> list[StageArticle]:
    """Analysed (not skipped) articles among `article_ids`, oldest first, with their mentions.

    `with_text=False`: without the text (empty), for what needs only the rest (a story's aggregates).
    """
    body = (ArticleRow.text, ArticleRow.summary) if with_text else (literal(""), literal(""))
    # Columns, not ORM entities: three entities an article made this the stage's slowest read.
    rows = session.execute(
        select(
            ArticleRow.id,
            ArticleRow.title,
            *body,
            SourceRow.id,
            SourceRow.name,
            SourceRow.weight,
            story_seen_at(),
            AnalysisRow.flagged,
            AnalysisRow.flag_reasons,
            AnalysisRow.topic,
            AnalysisRow.topic_score,
            AnalysisRow.topic_reason,
            AnalysisRow.tone,
            AnalysisRow.tone_score,
            AnalysisRow.tone_reason,
        )
        .join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(ArticleRow.id.in_(list(article_ids)), AnalysisRow.skipped.is_(None))
    ).all()
    targets: dict[int, list[str]] = {}
    for aid, target in session.execute(
        select(MentionRow.article_id, MentionRow.target)
        .where(MentionRow.article_id.in_(list(article_ids)))
        .order_by(MentionRow.article_id, MentionRow.start)
    ):
        if target not in targets.setdefault(aid, []):
            targets[aid].append(target)
    out = [
        StageArticle(
            r[0],
            r[1],
            r[2] or r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            tuple(r[9] or ()),
            r[10],
            r[11],
            r[12],
            r[13],
            r[14],
            r[15],
            tuple(targets.get(r[0], ())),
        )
        for r in rows
    ]
    return sorted(out, key=lambda x: (x.seen_at, x.id))


def story_of(session: Session, article_id: int) -> int | None:
    """The story an article already belongs to."""
    return session.scalar(select(StoryArticleRow.story_id).where(StoryArticleRow.article_id == article_id))


def candidates(
    session: Session, bands: Sequence[int], seen_at: datetime, window: timedelta, limit: int
) -> list[Candidate]:
    """Stored articles sharing a band key with `bands` and seen within `window` of `seen_at`."""
    hits = (
        select(StoryBandRow.article_id)
        .where(
            StoryBandRow.band_key.in_(list(bands)),
            StoryBandRow.seen_at.between(seen_at - window, seen_at + window),
        )
        .group_by(StoryBandRow.article_id)
        .order_by(func.count().desc(), StoryBandRow.article_id.desc())
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(
            ArticleSignatureRow.article_id,
            StoryArticleRow.story_id,
            ArticleSignatureRow.minhash,
            ArticleSignatureRow.shingles,
        )
        .join(hits, hits.c.article_id == ArticleSignatureRow.article_id)
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleSignatureRow.article_id)
    ).all()
    return [Candidate(r[0], r[1], bytes(r[2]), r[3]) for r in rows]


# --- the batched stage: a whole analysis batch in a few statements -------------------------------------


@dataclass(frozen=True)
class BandHit:
    """A stored article that has band key `band_key`, seen at `seen_at`."""

    band_key: int
    article_id: int
    seen_at: datetime


@dataclass(frozen=True)
class NewMember:
    """An article to put in a story, with its signature (written by `add_members`)."""

    article: StageArticle
    story_id: int
    minhash: bytes
    shingles: int
    bands: tuple[int, ...]
    similarity: float | None


def stories_of(session: Session, article_ids: Sequence[int]) -> dict[int, int]:
    """The story of each of these articles that already has one."""
    out: dict[int, int] = {}
    for cond in among(session, StoryArticleRow.article_id, list(article_ids), BigInteger):
        rows = session.execute(select(StoryArticleRow.article_id, StoryArticleRow.story_id).where(cond))
        for article_id, story_id in rows:
            out[article_id] = story_id
    return out


def band_hits(session: Session, bands: Sequence[int], lo: datetime, hi: datetime) -> list[BandHit]:
    """Every stored article seen in [lo, hi] that shares a band key with `bands` (one index walk each)."""
    out: list[BandHit] = []
    for cond in among(session, StoryBandRow.band_key, list(bands), BigInteger):
        q = select(StoryBandRow.band_key, StoryBandRow.article_id, StoryBandRow.seen_at).where(
            cond, StoryBandRow.seen_at.between(lo, hi)
        )
        out.extend(BandHit(k, a, t) for k, a, t in session.execute(q))
    return out


def signatures_of(session: Session, article_ids: Sequence[int]) -> dict[int, Candidate]:
    """Stored signatures and stories of these articles (the candidates a batch verifies)."""
    out: dict[int, Candidate] = {}
    for cond in among(session, ArticleSignatureRow.article_id, list(article_ids), BigInteger):
        rows = session.execute(
            select(
                ArticleSignatureRow.article_id,
                StoryArticleRow.story_id,
                ArticleSignatureRow.minhash,
                ArticleSignatureRow.shingles,
            )
            .join(StoryArticleRow, StoryArticleRow.article_id == ArticleSignatureRow.article_id)
            .where(cond)
        )
        out.update({r[0]: Candidate(r[0], r[1], bytes(r[2]), r[3]) for r in rows})
    return out


def create_stories(session: Session, founders: Sequence[StageArticle], now: datetime) -> list[int]:
    """One new story per founder, in one INSERT; their ids in the same order."""
    if not founders:
        return []
    t = table_of(StoryRow)
    rows = [
        dict(
            title=a.title,
            first_article_id=a.id,
            first_source_id=a.source_id,
            first_seen_at=a.seen_at,
            last_seen_at=a.seen_at,
            article_count=1,
            outlet_count=1,
            outlets=[a.source_name],
            targets=list(a.targets),
            flagged=a.flagged,
            flag_reasons=list(a.flag_reasons),
            max_outlet_weight=a.weight,
            updated_at=now,
        )
        for a in founders
    ]
    stmt = t.insert().returning(t.c.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows))


def add_members(session: Session, members: Sequence[NewMember], now: datetime) -> None:
    """Put articles in their stories with signatures and bands, in three bulk INSERTs (`insert_new`).

    Runs under `lock_assignment` after `stories_of` found these articles in no story, so no conflict is
    expected; ON CONFLICT DO NOTHING still keeps a rerun harmless.
    """
    if not members:
        return
    insert_new(
        session,
        table_of(StoryArticleRow),
        ("article_id", "story_id", "similarity", "joined_at"),
        [(m.article.id, m.story_id, m.similarity, now) for m in members],
        ("article_id",),
    )
    insert_new(
        session,
        table_of(ArticleSignatureRow),
        ("article_id", "seen_at", "shingles", "minhash"),
        [(m.article.id, m.article.seen_at, m.shingles, m.minhash) for m in members],
        ("article_id",),
    )
    insert_new(
        session,
        table_of(StoryBandRow),
        ("article_id", "band", "band_key", "seen_at"),
        [(m.article.id, i, k, m.article.seen_at) for m in members for i, k in enumerate(m.bands)],
        ("article_id", "band"),
    )


def members_by_story(session: Session, story_ids: Sequence[int]) -> dict[int, list[StageArticle]]:
    """Every article of each of these stories, as the stage sees them but without text, oldest first."""
    pairs: list[tuple[int, int]] = []
    for cond in among(session, StoryArticleRow.story_id, list(story_ids), BigInteger):
        rows = session.execute(select(StoryArticleRow.article_id, StoryArticleRow.story_id).where(cond))
        for article_id, story_id in rows:
            pairs.append((article_id, story_id))
    story = dict(pairs)
    out: dict[int, list[StageArticle]] = {sid: [] for sid in story_ids}
    ids = list(story)
    for i in range(0, len(ids), IN_CHUNK):
        for a in load_stage_articles(session, ids[i : i + IN_CHUNK], with_text=False):
            out[story[a.id]].append(a)
    return out


def save_aggregates(session: Session, values: dict[int, dict[str, Any]], now: datetime) -> set[int]:
    """Store stories' recomputed aggregates (one read, one executemany UPDATE); the ids of those that changed."""
    if not values:
        return set()
    t = table_of(StoryRow)
    names = sorted({k for v in values.values() for k in v})
    changed: dict[int, dict[str, Any]] = {}
    for cond in among(session, t.c.id, list(values), BigInteger):
        for row in session.execute(select(t.c.id, *(t.c[k] for k in names)).where(cond)).mappings():
            new = values[row["id"]]
            if any(row[k] != new[k] for k in new):
                changed[row["id"]] = new
    if changed:
        session.execute(
            update(t)
            .where(t.c.id == bindparam("story_id"))
            .values({k: bindparam(k) for k in [*names, "updated_at"]}),
            [{"story_id": sid, **new, "updated_at": now} for sid, new in changed.items()],
        )
    return set(changed)


def add_member(
    session: Session,
    a: StageArticle,
    story_id: int,
    minhash: bytes,
    shingles: int,
    bands: Sequence[int],
    similarity: float | None,
    now: datetime,
) -> bool:
    """Put `a` in `story_id` with its signature and bands; False if it already had a story."""
    done = session.execute(
        upsert_insert(session, StoryArticleRow)
        .values(article_id=a.id, story_id=story_id, similarity=similarity, joined_at=now)
        .on_conflict_do_nothing(index_elements=["article_id"])
    )
    if affected_rows(done) == 0:
        return False
    session.execute(
        upsert_insert(session, ArticleSignatureRow)
        .values(article_id=a.id, seen_at=a.seen_at, shingles=shingles, minhash=minhash)
        .on_conflict_do_nothing(index_elements=["article_id"])
    )
    session.execute(
        upsert_insert(session, StoryBandRow).on_conflict_do_nothing(index_elements=["article_id", "band"]),
        [{"article_id": a.id, "band": i, "band_key": k, "seen_at": a.seen_at} for i, k in enumerate(bands)],
    )
    return True


def story_members(session: Session, story_id: int) -> list[StageArticle]:
    """Every article of a story, as the stage sees them, oldest first."""
    ids = session.scalars(
        select(StoryArticleRow.article_id).where(StoryArticleRow.story_id == story_id)
    ).all()
    return load_stage_articles(session, ids)


def save_aggregate(session: Session, story_id: int, values: dict[str, Any], now: datetime) -> bool:
    """Write recomputed aggregates onto a story if they differ (re-runs change nothing); True if written."""
    row = session.get(StoryRow, story_id)
    assert row is not None
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(row, key, value)
    row.updated_at = now
    session.flush()
    return True


def archive_start(session: Session) -> datetime | None:
    """When the archive began: the fetch time of the oldest stored article."""
    return session.scalar(select(func.min(ArticleRow.fetched_at)))


def target_volume(
    session: Session, targets: Sequence[str], now: datetime, recent: timedelta, baseline: timedelta
) -> dict[str, tuple[int, int]]:
    """Per target: (articles in the last `recent`, articles in the `baseline` period before that)."""
    if not targets:
        return {}
    start, split = now - recent - baseline, now - recent
    seen = story_seen_at()
    rows = session.execute(
        select(MentionRow.target, (seen >= split).label("recent"), func.count(func.distinct(ArticleRow.id)))
        .join(ArticleRow, ArticleRow.id == MentionRow.article_id)
        .where(
            MentionRow.target.in_(list(targets)), ArticleRow.fetched_at >= start, seen >= start, seen <= now
        )
        .group_by(MentionRow.target, "recent")
    ).all()
    out = dict.fromkeys(targets, (0, 0))
    for target, is_recent, n in rows:
        r, b = out[target]
        out[target] = (r + n, b) if is_recent else (r, b + n)
    return out


@dataclass(frozen=True)
class ArticleLine:
    """One article of a story, for the case view."""

    id: int
    source: str
    title: str
    url: str
    seen_at: datetime
    similarity: float | None


@dataclass(frozen=True)
class MentionLine:
    """One mention, for highlighting in the case view."""

    article_id: int
    target: str
    alias: str
    snippet: str


@dataclass(frozen=True)
class StoryDetail:
    """A story with its articles and mentions."""

    id: int
    title: str
    first_source: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlets: list[str]
    targets: list[str]
    topic: str | None
    topic_reason: str | None
    tone: str | None
    tone_score: float | None
    tone_reason: str | None
    flag_reasons: list[str]
    articles: list[ArticleLine]
    mentions: list[MentionLine]


def story_detail(session: Session, story_id: int, max_articles: int = 50) -> StoryDetail | None:
    """A story for the case view (its first `max_articles` articles, oldest first, and their mentions)."""
    found = session.execute(
        select(StoryRow, SourceRow.name)
        .outerjoin(SourceRow, SourceRow.id == StoryRow.first_source_id)
        .where(StoryRow.id == story_id)
    ).first()
    return detail_of(session, found[0], found[1], max_articles) if found else None


def detail_of(
    session: Session, story: StoryRow, first_name: str | None, max_articles: int = 50
) -> StoryDetail:
    """`story_detail` of a story row already read (with its first outlet's name): one more query."""
    seen = story_seen_at()
    page = (
        select(
            ArticleRow.id,
            SourceRow.name,
            ArticleRow.title,
            ArticleRow.canonical_url,
            seen.label("seen"),
            StoryArticleRow.similarity,
        )
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(StoryArticleRow.story_id == story.id)
        .order_by(seen, ArticleRow.id)
        .limit(max_articles)
        .subquery("page")
    )
    # the articles and their mentions in one round trip (an article without mention comes once, with NULLs)
    rows = session.execute(
        select(page, MentionRow.target, MentionRow.alias, MentionRow.snippet)
        .outerjoin(MentionRow, MentionRow.article_id == page.c.id)
        .order_by(page.c.seen, page.c.id, MentionRow.start)
    ).all()
    articles: dict[int, ArticleLine] = {}
    mentions = []
    for aid, source, title, url, at, similarity, target, alias, snippet in rows:
        articles.setdefault(aid, ArticleLine(aid, source, title, url, at, similarity))
        if target is not None:
            mentions.append(MentionLine(aid, target, alias, snippet))
    return StoryDetail(
        story.id,
        story.title,
        first_name or "?",
        story.first_seen_at,
        story.last_seen_at,
        story.article_count,
        list(story.outlets),
        list(story.targets),
        story.topic,
        story.topic_reason,
        story.tone,
        story.tone_score,
        story.tone_reason,
        list(story.flag_reasons),
        list(articles.values()),
        mentions,
    )
