"""The queue (home page): filters, paging, polling for new cases, bulk actions for leaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from monitor.queue.workflow import Claim
from monitor.store import cases as store_cases
from monitor.store import users as store_users
from monitor.vocab import STATE_LABELS, Priority, State, parse
from monitor.web.security import ctx, me

bp = Blueprint("queue", __name__)

OPEN = store_cases.OPEN


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as read from the query string (unknown words are dropped, and said so)."""

    states: tuple[str, ...] = (OPEN,)
    priorities: tuple[str, ...] = ()
    mine: bool = False
    page: int = 1
    ignored: tuple[str, ...] = field(default=())

    def query_args(self, **override: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for links to other pages)."""
        args: dict[str, Any] = {
            "status": list(self.states),
            "priority": list(self.priorities),
            "page": self.page,
        }
        if self.mine:
            args["mine"] = "1"
        args.update(override)
        return args


def parse_filters(args: MultiDict[str, str]) -> QueueFilters:
    """Read the filters; each value may be the id or the Vietnamese word."""
    ignored: list[str] = []
    states: list[str] = []
    for word in args.getlist("status"):
        if word == OPEN:
            states.append(OPEN)
        elif (state := parse(State, word)) is not None:
            states.append(state.value)
        elif word:
            ignored.append(word)
    priorities: list[str] = []
    for word in args.getlist("priority"):
        if (prio := parse(Priority, word)) is not None:
            priorities.append(prio.value)
        elif word:
            ignored.append(word)
    try:
        page = max(1, min(int(args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    return QueueFilters(
        states=tuple(dict.fromkeys(states)) or (OPEN,),
        priorities=tuple(dict.fromkeys(priorities)),
        mine=args.get("mine") == "1",
        page=page,
        ignored=tuple(ignored),
    )


def _items(f: QueueFilters) -> list[store_cases.QueueItem]:
    size = ctx().settings.page_size
    with ctx().db.read() as session:
        user_id = store_users.get_user(session, me().username).id if f.mine else None
        return store_cases.queue_page(
            session,
            states=f.states,
            priorities=f.priorities,
            user_id=user_id,
            limit=size + 1,  # one more tells whether a next page exists
            offset=(f.page - 1) * size,
        )


def _page(template: str) -> Any:
    f = parse_filters(request.args)
    items = _items(f)
    size = ctx().settings.page_size
    now = datetime.now(UTC)
    return render_template(
        template,
        f=f,
        items=items[:size],
        has_next=len(items) > size,
        holding={i.case_id: Claim(i.holder, i.claim_expires_at).active(now) for i in items},
        state_labels=STATE_LABELS,
        priorities=list(Priority),
        poll=ctx().settings.poll_seconds,
    )


@bp.route("/")
def index() -> Any:
    """The queue page."""
    return _page("queue.html")


@bp.route("/queue/rows")
def rows() -> Any:
    """The queue's rows alone (htmx polls this so new cases appear without a reload)."""
    return _page("_queue_rows.html")
