"""Search over articles and cases, ignoring diacritics and case (đ ≈ d), by title and text.

Every word of the query must appear as a whole word (in any order): "cong an kon tum" finds "Công an tỉnh
Kon Tum". PostgreSQL: `plainto_tsquery('simple', …)` over the folded document, answered by the GIN
expression indexes migration 0005 creates (bench/bench_search.py measured the choice). SQLite (one unit's
archive): the same folded document through the `monitor_words` function registered on every connection,
each word matched with LIKE (a scan; see the README's figures).
The query string is always a bound parameter; the SQL fragments below are constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnClause,
    ColumnElement,
    Select,
    and_,
    bindparam,
    desc,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from monitor.store import cases as store_cases
from monitor.store.db import among
from monitor.store.queue_tables import CaseRow, StoryArticleRow, StoryRow
from monitor.store.search_fold import search_words
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow

# Created by migration 0005 on PostgreSQL only; no model declares them (tests/test_store_migrations.py).
PG_ONLY_INDEXES = ("ix_articles_search", "ix_stories_search")
# Expression indexes migrations create on both backends; no model declares them either.
EXPRESSION_INDEXES = ("ix_articles_seen",)  # coalesce(published_at, fetched_at), id (migration 0011)

# Exactly the indexed expressions (the planner matches them structurally).
# Stored folded (tables.search_doc, migration 0009): folding in the index expression slowed every insert.
_ARTICLE_DOC = "articles.search_doc"
_STORY_DOC = "monitor_fold(stories.title)"
_ARTICLE_WORDS = (
    "monitor_words(articles.title || ' ' || coalesce(nullif(articles.text, ''), articles.summary))"
)
_STORY_WORDS = "monitor_words(stories.title)"


# Up to this many matching stories, a case search ranks exactly those (see search_cases).
FEW_STORIES = 1000
# From this many expected matches (PostgreSQL's statistics), a case search walks the queue's order at once.
COMMON_STORIES = 20 * FEW_STORIES


@dataclass(frozen=True)
class SearchFilters:
    """The queue's filters, applied to search results (empty = no filter)."""

    states: Sequence[str] = ()
    priorities: Sequence[str] = ()
    topics: Sequence[str] = ()
    tones: Sequence[str] = ()
    targets: Sequence[str] = ()
    outlets: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class ArticleHit:
    """One article found."""

    id: int
    title: str
    source: str
    seen_at: datetime
    url: str
    case_id: int | None
    case_state: str | None


@dataclass(frozen=True)
class CaseHit:
    """One case found by its story's title."""

    case_id: int
    title: str
    state: str
    priority: str
    deadline_at: datetime
    opened_at: datetime
    holder: str | None
    claim_expires_at: datetime | None


@dataclass(frozen=True)
class SearchResult:
    """One page of each kind of hit; `more_*` says whether a next page exists."""

    words: list[str]
    articles: list[ArticleHit] = field(default_factory=list)
    cases: list[CaseHit] = field(default_factory=list)
    more_articles: bool = False
    more_cases: bool = False


def _matches(session: Session, doc_pg: str, doc_words: str, words: list[str]) -> ColumnElement[bool]:
    """Every word of the query, as a whole word, anywhere in the document ("cong an kon tum" finds
    "Công an tỉnh Kon Tum")."""
    if session.get_bind().dialect.name == "postgresql":
        return literal_column(f"to_tsvector('simple', {doc_pg})").op("@@")(
            func.plainto_tsquery(literal_column("'simple'"), " ".join(words))
        )
    doc: ColumnClause[str] = literal_column(doc_words)
    return and_(*(doc.like(bindparam(f"word_{i}", f"% {w} %")) for i, w in enumerate(words)))


def _article_conditions(f: SearchFilters, seen: ColumnElement[datetime]) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.topics:
        conds.append(AnalysisRow.topic.in_(list(f.topics)))
    if f.tones:
        conds.append(AnalysisRow.tone.in_(list(f.tones)))
    if f.outlets:
        conds.append(SourceRow.key.in_(list(f.outlets)))
    if f.targets:
        conds.append(
            select(MentionRow.id)
            .where(MentionRow.article_id == ArticleRow.id, MentionRow.target.in_(list(f.targets)))
            .exists()
        )
    if f.states:
        conds.append(CaseRow.state.in_(list(f.states)))
    if f.priorities:
        conds.append(CaseRow.priority.in_(list(f.priorities)))
    if f.since is not None:
        conds.append(seen >= f.since)
    if f.until is not None:
        conds.append(seen < f.until)
    return conds


def search_articles(
    session: Session, query: str, f: SearchFilters, *, limit: int = 30, offset: int = 0
) -> tuple[list[ArticleHit], bool]:
    """Articles whose folded title or text contains every word of the folded query, newest first."""
    words = search_words(query)
    if not words:
        return [], False
    q = _article_query(session, words, f, limit=limit, offset=offset)
    rows = [ArticleHit(*r) for r in session.execute(q)]
    return rows[:limit], len(rows) > limit


def _article_query(
    session: Session, words: list[str], f: SearchFilters, *, limit: int, offset: int
) -> Select[tuple[int, str, str, datetime, str, int, str]]:  # case id and state: None when none
    # Newest first by the expression migration 0011 indexes (with id): a query that matches most of the
    # archive walks that index and stops after a page; a rare word is answered by the full-text index.
    # The page is chosen first (joining only what a filter reads), then only its rows get their outlet
    # and case: joining every match before sorting cost ~10 ms for a word a thousand articles share.
    seen = func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)
    page = select(ArticleRow.id, seen.label("seen")).where(
        _matches(session, _ARTICLE_DOC, _ARTICLE_WORDS, words), *_article_conditions(f, seen)
    )
    if f.outlets:
        page = page.join(SourceRow, SourceRow.id == ArticleRow.source_id)
    if f.states or f.priorities:
        page = page.join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id).join(
            CaseRow, CaseRow.story_id == StoryArticleRow.story_id
        )
    if f.topics or f.tones:
        page = page.join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
    found = page.order_by(desc(seen), desc(ArticleRow.id)).limit(limit + 1).offset(offset).subquery("page")
    return (
        select(
            ArticleRow.id,
            ArticleRow.title,
            SourceRow.name,
            found.c.seen,
            ArticleRow.canonical_url,
            CaseRow.id,
            CaseRow.state,
        )
        .select_from(found)
        .join(ArticleRow, ArticleRow.id == found.c.id)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .outerjoin(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        .outerjoin(CaseRow, CaseRow.story_id == StoryArticleRow.story_id)
        .order_by(desc(found.c.seen), desc(found.c.id))
    )


def search_cases(
    session: Session, query: str, f: SearchFilters, *, limit: int = 30, offset: int = 0
) -> tuple[list[CaseHit], bool]:
    """Cases whose story title contains every word of the folded query, most urgent first."""
    words = search_words(query)
    if not words:
        return [], False
    holder = store_cases.HOLDER
    # The queue's own named filters (store.cases), so "about a target" or "carried by an outlet" has one
    # definition for the queue and for search.
    listing = store_cases.QueueQuery(
        states=list(f.states),
        priorities=list(f.priorities),
        topics=list(f.topics),
        tones=list(f.tones),
        targets=list(f.targets),
        outlets=list(f.outlets),
        opened_from=f.since,
        opened_before=f.until,
    )
    match = _matches(session, _STORY_DOC, _STORY_WORDS, words)
    if session.get_bind().dialect.name == "postgresql":
        # A rare word ("4242"): PostgreSQL's estimate of a full-text match is coarse, and walking the
        # queue's order while folding every story title cost most of a second at 100,000 cases. Asking
        # the full-text index first settles it: few stories match → rank just those. A word its
        # statistics say most stories share ("kon tum") is left to the walk, which stops after a page:
        # asking the index would gather every match first (9 ms at 330,000 stories).
        stories = select(StoryRow.id).where(match)
        if _expected_rows(session, stories) < COMMON_STORIES:
            few = session.scalars(stories.limit(FEW_STORIES + 1)).all()
            if len(few) <= FEW_STORIES:
                match = next(among(session, StoryRow.id, few, BigInteger))
    conds = [match, *store_cases.queue_conditions(listing)]
    q = (
        select(
            CaseRow.id,
            StoryRow.title,
            CaseRow.state,
            CaseRow.priority,
            CaseRow.deadline_at,
            CaseRow.opened_at,
            holder.username,
            CaseRow.claim_expires_at,
        )
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .outerjoin(holder, holder.id == CaseRow.claimed_by)
        .where(and_(*conds))
        .order_by(CaseRow.priority_rank, CaseRow.deadline_at, CaseRow.id)
        .limit(limit + 1)
        .offset(offset)
    )
    rows = [CaseHit(*r) for r in session.execute(q)]
    return rows[:limit], len(rows) > limit


def _expected_rows(session: Session, query: Select[Any]) -> float:
    """How many rows PostgreSQL expects `query` to return (it is planned, not run)."""
    compiled = query.compile(dialect=session.get_bind().dialect)
    plan = (
        session.connection()
        .exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        .scalar_one()
    )
    return float(plan[0]["Plan"]["Plan Rows"])


def explain_article_search(session: Session, query: str, f: SearchFilters | None = None) -> str:
    """The database's plan for the article search `search_articles` runs (tests check the indexes used)."""
    q = _article_query(session, search_words(query), f or SearchFilters(), limit=30, offset=0)
    compiled = q.compile(dialect=session.get_bind().dialect)
    explain = "EXPLAIN QUERY PLAN" if session.get_bind().dialect.name == "sqlite" else "EXPLAIN"
    params = compiled.positiontup and tuple(compiled.params[k] for k in compiled.positiontup)
    plan = session.connection().exec_driver_sql(f"{explain} {compiled}", params or compiled.params)
    return "\n".join(str(r[-1]) for r in plan)
