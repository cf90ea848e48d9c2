"""The case page and the actions on a case (claim, release, verdict, priority): the domain decides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from monitor.errors import MonitorError
from monitor.queue.service import Decision, act
from monitor.queue.workflow import Claim
from monitor.store import cases as store_cases
from monitor.store import stories as store_stories
from monitor.vocab import TONES, TOPICS, VERDICTS, Action, Priority, State, label, parse
from monitor.web.security import ctx, me

bp = Blueprint("cases", __name__, url_prefix="/cases")

# The actions a form may post (the URL word → the domain's Action).
ACTIONS = {
    "claim": Action.CLAIM,
    "release": Action.RELEASE,
    "verify": Action.VERIFY,
    "priority": Action.SET_PRIORITY,
}


def _settings() -> Any:
    return ctx().config.queue


@bp.route("/<int:case_id>")
def show(case_id: int) -> Any:
    """One case: story, articles, mentions per article, reasons, labels, history, claim, deadline."""
    now = datetime.now(UTC)
    with ctx().db.read() as session:
        case = store_cases.get_case(session, case_id)
        if case is None:
            abort(404)
        story = store_stories.story_detail(session, case.story_id)
        events = store_cases.case_events(session, case_id)
    if story is None:
        abort(404)
    mentions: dict[int, list[Any]] = {}
    for m in story.mentions:
        mentions.setdefault(m.article_id, []).append(m)
    return render_template(
        "case.html",
        case=case,
        story=story,
        events=events,
        mentions=mentions,
        holding=Claim(case.holder, case.claim_expires_at).active(now),
        overdue=case.deadline_at < now and case.state != State.CLOSED,
        verdicts=VERDICTS,
        topics=TOPICS,
        tones=TONES,
        priorities=list(Priority),
        role=me().role,
    )


def decision_from_form(action: Action, form: Any) -> Decision:
    """The user's form as a domain Decision (the domain validates it)."""
    evidence = tuple(u.strip() for u in form.get("evidence", "").splitlines() if u.strip())
    verdict = parse(State, form.get("verdict", "")) if form.get("verdict") else None
    priority = parse(Priority, form.get("priority", "")) if form.get("priority") else None
    try:
        version = int(form["version"]) if form.get("version") else None
    except ValueError:
        version = None
    return Decision(
        action,
        verdict=verdict,
        note=form.get("note", "").strip()[:5000],
        evidence=evidence[:20],
        wants_response=form.get("respond") == "1",
        correct_topic=form.get("correct_topic") or None,
        correct_tone=form.get("correct_tone") or None,
        wrong_target=form.get("wrong_target") == "1",
        priority=priority,
        expected_version=version,
    )


@bp.route("/<int:case_id>/<action>", methods=["POST"], endpoint="act")
def act_on(case_id: int, action: str) -> Any:
    """Do one action as the logged-in user; the domain refuses with a Vietnamese sentence."""
    if action not in ACTIONS:
        abort(404)
    decision = decision_from_form(ACTIONS[action], request.form)
    if action == "verify" and decision.verdict is None:
        flash("Hãy chọn kết luận xác minh.", "error")
    else:
        try:
            done = act(ctx().db, case_id, me().username, decision, _settings(), datetime.now(UTC))
        except MonitorError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Vụ việc #{case_id}: đã {label(ACTIONS[action])}; nay “{label(done.state)}”.", "ok")
    if request.headers.get("HX-Request"):
        return "", 204, {"HX-Refresh": "true"}
    back = request.form.get("back", "")
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return redirect(back if local else url_for("cases.show", case_id=case_id))
