"""Search over articles and cases (diacritics and case ignored, đ ≈ d), with the queue's filters."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from monitor.store import search as store_search
from monitor.timefmt import parse_local_date
from monitor.vocab import STATE_LABELS, Priority, State, Tone, Topic, parse
from monitor.web.security import ctx

bp = Blueprint("search", __name__, url_prefix="/search")

PAGE = 30


def _filters(args: Any) -> tuple[store_search.SearchFilters, list[str]]:
    """The filters from the query string, and the words that were not understood."""
    ignored: list[str] = []

    def members(kind: Any, name: str) -> list[str]:
        out = []
        for word in args.getlist(name):
            member = parse(kind, word)
            if member is not None:
                out.append(member.value)
            elif word:
                ignored.append(word)
        return out

    def day(name: str) -> Any:
        text = args.get(name, "").strip()
        if not text:
            return None
        try:
            return parse_local_date(text)
        except ValueError:
            ignored.append(text)
            return None

    config = ctx().config
    until = day("to")
    if until is not None:
        from datetime import timedelta

        until = until + timedelta(days=1)
    return (
        store_search.SearchFilters(
            states=members(State, "status"),
            priorities=members(Priority, "priority"),
            topics=members(Topic, "topic"),
            tones=members(Tone, "tone"),
            targets=[t for t in args.getlist("target") if t in {w.key for w in config.watches}],
            outlets=[o for o in args.getlist("outlet") if o in {s.key for s in config.sources}],
            since=day("from"),
            until=until,
        ),
        ignored,
    )


@bp.route("")
def index() -> ResponseReturnValue:
    """The search form and, with a query, one page of matching cases and articles."""
    query = request.args.get("q", "").strip()[:200]
    try:
        page = max(1, min(int(request.args.get("page", "1")), 1000))
    except ValueError:
        page = 1
    f, ignored = _filters(request.args)
    articles: list[store_search.ArticleHit] = []
    cases: list[store_search.CaseHit] = []
    more_articles = more_cases = False
    if query:
        with ctx().db.read() as session:
            cases, more_cases = store_search.search_cases(
                session, query, f, limit=PAGE, offset=(page - 1) * PAGE
            )
            articles, more_articles = store_search.search_articles(
                session, query, f, limit=PAGE, offset=(page - 1) * PAGE
            )
    config = ctx().config
    return render_template(
        "search.html",
        query=query,
        page=page,
        f=f,
        args=request.args,
        ignored=ignored,
        cases=cases,
        articles=articles,
        more=more_cases or more_articles,
        state_labels=STATE_LABELS,
        priorities=list(Priority),
        topics=list(Topic),
        tones=list(Tone),
        watches=config.watches,
        sources=config.sources,
    )
