"""The case page and the actions on a case: the domain (`queue.service.act`) decides every one of them.

The page renders `queue.views.case_page` (the case and its response part, read together); forms are turned into a Decision by `queue.inputs.parse_decision`,
exactly as `monitor case ID ACTION` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from monitor.errors import MonitorError, NotFoundError, PermissionDeniedError
from monitor.queue.inputs import parse_decision
from monitor.queue.service import Decision, act
from monitor.queue.views import case_page
from monitor.store import users as store_users
from monitor.vocab import TONES, TOPICS, VERDICTS, Action, Priority, Role, label, parse
from monitor.web.queue import names
from monitor.web.security import ctx, me

bp = Blueprint("cases", __name__, url_prefix="/cases")

# The actions a form may post: the URL word is the domain's action id.
ACTIONS = frozenset(
    {"claim", "release", "verify", "priority", "assign", "correct", "confirm_event", "split_event"}
)


@bp.route("/<int:case_id>")
def show(case_id: int) -> ResponseReturnValue:
    """One case: story, articles with their mentions, reasons, labels, history, claim, deadline."""
    can_lead = me().role in (Role.LEADER, Role.ADMIN)
    try:
        page = case_page(ctx().db, case_id, me().username, datetime.now(UTC), names())
    except NotFoundError:
        abort(404)
    collaborators = []
    if can_lead:  # the assign form is a leader's
        with ctx().db.read() as session:
            collaborators = [
                u for u in store_users.list_users(session) if u.active and u.role == Role.COLLABORATOR
            ]
    return render_template(
        "case.html",
        case=page.case,
        response_view=page.response,
        verdicts=VERDICTS,
        topics=TOPICS,
        tones=TONES,
        priorities=list(Priority),
        collaborators=collaborators,
        can_lead=can_lead,
        can_correct=me().role in (Role.COLLABORATOR, Role.LEADER, Role.ADMIN),
    )


def _number(form: Any, key: str) -> int | None:
    """A positive whole number from the form, or None."""
    value = str(form.get(key) or "")
    return int(value) if value.isdigit() else None


def decision_from_form(action: str, form: Any) -> Decision:
    """The user's form as a domain Decision (validated by the same function the CLI uses)."""
    evidence = [u.strip() for u in form.get("evidence", "").splitlines() if u.strip()][:20]
    version = _number(form, "version")
    return parse_decision(
        action,
        verdict=form.get("verdict") or None,
        note=form.get("note", "").strip()[:5000],
        evidence=evidence,
        correct_topic=form.get("correct_topic") or None,
        correct_tone=form.get("correct_tone") or None,
        wrong_target=form.get("wrong_target") == "1",
        respond=form.get("respond") == "1",
        priority=form.get("priority") or None,
        expect_version=version,
        assignee=form.get("assignee") or None,
        other_case=_number(form, "other_case"),
        other_story=_number(form, "other_story"),
    )


@bp.route("/<int:case_id>/<action>", methods=["POST"], endpoint="act")
def act_on(case_id: int, action: str) -> ResponseReturnValue:
    """Do one action as the logged-in user; a refusal is the domain's Vietnamese sentence."""
    if action not in ACTIONS:
        abort(404)
    try:
        decision = decision_from_form(action, request.form)
        done = act(ctx().db, case_id, me().username, decision, ctx().config.queue, datetime.now(UTC))
    except PermissionDeniedError:
        raise  # the role may not: audited and answered 403 by web.errors
    except MonitorError as exc:  # the case's state, claim or version: say why, change nothing
        flash(exc.message, "error")
    else:
        verb = label(parse(Action, action))
        flash(f"Vụ việc #{case_id}: đã {verb}; nay “{label(done.state)}”.", "ok")
    if request.headers.get("HX-Request"):
        return "", 204, {"HX-Refresh": "true"}
    back = request.form.get("back", "")
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return redirect(back if local else url_for("cases.show", case_id=case_id))
