"""The queue (home page): every filter, paging, polling for new cases, bulk actions for leaders.

Filters are validated by `queue.inputs.parse_filter` and the listing comes from `queue.views`, exactly
as for `monitor queue`; this module only reads the query string and renders.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from monitor.errors import MonitorError
from monitor.queue.inputs import Names, QueueFilter, parse_decision, parse_filter
from monitor.queue.service import act_many
from monitor.queue.views import QueuePage, queue_listing
from monitor.store import users as store_users
from monitor.vocab import STATE_LABELS, Priority, Role, Tone, Topic
from monitor.web.security import ctx, me

bp = Blueprint("queue", __name__)

# Query-string names of the filters (the same words as the CLI options).
FILTER_KEYS = (
    "status",
    "priority",
    "topic",
    "tone",
    "target",
    "outlet",
    "holder",
    "assigned",
    "mine",
    "from",
    "to",
)


def names() -> Names:
    """Target and outlet names of the loaded configuration."""
    return Names.from_config(ctx().config)


def read_filter(args: MultiDict[str, str]) -> tuple[QueueFilter, str | None]:
    """The validated filter, or the default one and the Vietnamese reason the request was refused."""
    try:
        page = max(1, min(int(args.get("page", "1")), 100_000))
    except ValueError:
        page = 1

    def many(key: str) -> list[str]:
        return [v for v in args.getlist(key) if v.strip()]

    try:
        f = parse_filter(
            status=many("status"),
            priority=many("priority"),
            topic=many("topic"),
            tone=many("tone"),
            target=many("target"),
            outlet=many("outlet"),
            assignee=args.get("holder") or None,
            assigned=args.get("assigned") or None,
            mine=args.get("mine") == "1",
            user=me().username,
            date_from=args.get("from") or None,
            date_to=args.get("to") or None,
            page=page,
            limit=ctx().settings.page_size,
            names=names(),
        )
    except MonitorError as exc:
        return parse_filter(limit=ctx().settings.page_size, page=1), exc.message
    return f, None


def query_args(args: MultiDict[str, str], **override: Any) -> dict[str, Any]:
    """The request's filters as url_for arguments (with `override`, e.g. another page)."""
    out: dict[str, Any] = {k: args.getlist(k) for k in FILTER_KEYS if args.getlist(k)}
    out.update(override)
    return out


def _listing() -> tuple[QueuePage, str | None, QueueFilter]:
    f, problem = read_filter(request.args)
    try:
        page = queue_listing(ctx().db, f, datetime.now(UTC))
    except MonitorError as exc:  # an unknown user name in "holder"/"assigned"
        problem = exc.message
        f = replace(f, assignee=None, assigned=None)
        page = queue_listing(ctx().db, f, datetime.now(UTC))
    return page, problem, f


def _context() -> dict[str, Any]:
    config = ctx().config
    with ctx().db.read() as session:
        users = [u for u in store_users.list_users(session) if u.active]
    return {
        "state_labels": STATE_LABELS,
        "priorities": list(Priority),
        "topics": list(Topic),
        "tones": list(Tone),
        "watches": config.watches,
        "sources": config.sources,
        "users": users,
        "collaborators": [u for u in users if u.role == Role.COLLABORATOR],
        "poll": ctx().settings.poll_seconds,
        "args": request.args,
        "query_args": query_args,
        "can_lead": me().role in (Role.LEADER, Role.ADMIN),
    }


@bp.route("/")
def index() -> ResponseReturnValue:
    """The queue page."""
    page, problem, f = _listing()
    return render_template("queue.html", listing=page, problem=problem, f=f, **_context())


@bp.route("/queue/rows")
def rows() -> ResponseReturnValue:
    """The queue's table alone (htmx polls this so new cases appear without a reload)."""
    page, problem, f = _listing()
    return render_template("_queue_rows.html", listing=page, problem=problem, f=f, **_context())


@bp.route("/queue/bulk", methods=["POST"])
def bulk() -> ResponseReturnValue:
    """A leader's action on the selected cases: assign to a collaborator, or set a priority.

    `queue.service.act_many` takes each case through the domain on its own (role, state and version
    checked per case); the page says how many succeeded and why the others were refused.
    """
    ids = [int(x) for x in request.form.getlist("case") if x.isdigit()][:200]
    action = request.form.get("bulk_action", "")
    if action not in ("assign", "priority") or not ids:
        flash("Hãy chọn vụ việc và thao tác.", "error")
        return redirect(_back())
    try:
        if action == "assign":
            decision = parse_decision("assign", assignee=request.form.get("assignee") or None)
        else:
            decision = parse_decision("priority", priority=request.form.get("priority") or None)
    except MonitorError as exc:
        flash(exc.message, "error")
        return redirect(_back())
    # a role that may not do this at all raises PermissionDeniedError: audited 403 (web.errors)
    result = act_many(ctx().db, ids, me().username, decision, ctx().config.queue, datetime.now(UTC))
    if result.done:
        flash(f"Đã cập nhật {len(result.done)} vụ việc.", "ok")
    for case_id, reason in result.refused[:10]:
        flash(f"#{case_id}: {reason}", "error")
    return redirect(_back())


def _back() -> str:
    """The page the form came from, when it is one of ours (never another site: no open redirect)."""
    back = request.form.get("back", "")
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return back if local else url_for("queue.index")
