"""The press response on the case page: draft and versions, comments, send for approval, approve or
return with a comment, publish with channel/URL/time, download the signed-letter .docx.

Every rule is the domain's (`queue.response_service`, the same calls as `monitor response`); a refusal
comes back as its Vietnamese sentence in a flash message, or, when the role may not do it at all, as an
audited 403 page (web.errors).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for

from monitor.errors import MonitorError, NotFoundError, PermissionDeniedError, TransitionError
from monitor.queue import response_service as svc
from monitor.queue.letters import issuer_name
from monitor.queue.responses import Draft, clean_draft, status_text
from monitor.timefmt import LOCAL_TZ
from monitor.vocab import ResponseKind, State, label
from monitor.web.security import ctx, me

bp = Blueprint("responses", __name__, url_prefix="/responses")

ACTIONS = ("draft", "submit", "approve", "return", "publish", "comment")
MAX_FIELD = 25_000  # form fields longer than any valid body are cut before the domain says no


def _form(name: str) -> str:
    return request.form.get(name, "")[:MAX_FIELD]


def _int(name: str) -> int | None:
    try:
        return int(request.form[name]) if request.form.get(name) else None
    except ValueError:
        return None


def _published_at(text: str, now: datetime) -> datetime:
    """The <input type="datetime-local"> value (Vietnam time), or now when left empty."""
    if not text.strip():
        return now
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise TransitionError("Thời điểm đăng không hợp lệ: chọn ngày và giờ đăng.") from None


def _draft_from_form() -> Draft:
    # a configured outlet from the list, or another outlet's name typed in
    key, name = svc.resolve_outlet(ctx().db, _form("outlet") or _form("outlet_other"))
    return clean_draft(_form("kind"), _form("title"), _form("body"), key, name)


def section(case_id: int, view: svc.ResponseView | None = None) -> dict[str, Any]:
    """What the response section of the case page shows to the logged-in user (a template global);
    `view`: the response part the page has already read (`queue.views.case_page`)."""
    now = datetime.now(UTC)
    if view is None:
        view = svc.view(ctx().db, case_id, me().username, now)
    editor: Draft | None = None
    if view.response is not None:
        r = view.response
        editor = Draft(ResponseKind(r.kind), r.title, r.body, r.outlet_key, r.outlet_name)
    prefill_error = None
    if request.args.get("prefill") == "correction":
        units = tuple(w.name for w in ctx().config.watches if w.kind == "unit")
        try:
            editor = svc.prefill_correction(
                ctx().db, case_id, issuer_name(ctx().config.letters, units), request.args.get("outlet")
            )
        except MonitorError as exc:
            prefill_error = exc.message
    outlets = sorted({(s.key, s.name) for s in ctx().config.sources}, key=lambda o: o[1])
    return {
        "view": view,
        "editor": editor,
        "prefill_error": prefill_error,
        "kinds": [(k.value, label(k)) for k in ResponseKind],
        "outlets": outlets,
        "allowed": {a.value for a in view.allowed},
        "now_local": now.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        "status": status_text(view.response, view.case.state) if view.response else "",
        "returned": view.case.state == State.RESPONSE_RETURNED,
    }


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"response_section": section}


@bp.route("/<int:case_id>/<action>", methods=["POST"], endpoint="act")
def act_on(case_id: int, action: str) -> Any:
    """One step on the case's response as the logged-in user; the domain decides."""
    if action not in ACTIONS:
        abort(404)
    db, user, now = ctx().db, me().username, datetime.now(UTC)
    settings = ctx().config.queue
    try:
        if action == "draft":
            saved = svc.save_draft(db, case_id, user, _draft_from_form(), settings, now, _int("version"))
            message = f"Đã lưu bản {saved.version} của phản hồi."
        elif action == "submit":
            saved = svc.submit(db, case_id, user, settings, now, _form("note"))
            message = f"Đã gửi bản {saved.version} để lãnh đạo duyệt."
        elif action == "approve":
            saved = svc.approve(db, case_id, user, settings, now, _form("note"), _int("response_version"))
            message = f"Đã duyệt bản {saved.version} của phản hồi."
        elif action == "return":
            saved = svc.return_for_revision(
                db, case_id, user, _form("note"), settings, now, _int("response_version")
            )
            message = f"Đã trả lại bản {saved.version} để báo cáo viên sửa."
        elif action == "publish":
            at = _published_at(_form("published_at"), now)
            saved = svc.publish(db, case_id, user, _form("channel"), _form("url"), at, settings, now)
            message = f"Đã ghi nhận phản hồi đăng trên {saved.channel}."
        else:
            svc.comment(db, case_id, user, _form("note"), now)
            message = "Đã thêm góp ý."
    except NotFoundError:
        abort(404)
    except PermissionDeniedError:
        raise  # the role may not: audited and answered 403 by web.errors
    except MonitorError as exc:
        flash(exc.message, "error")
    else:
        flash(message, "ok")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="phan-hoi"))


@bp.route("/<int:case_id>/van-ban.docx", endpoint="document")
def document(case_id: int) -> Any:
    """The response laid out for signing, as .docx (reporters, leaders, admins)."""
    try:
        doc = svc.document(ctx().db, case_id, me().username, ctx().config, datetime.now(UTC))
    except NotFoundError:
        abort(404)
    except PermissionDeniedError:
        raise
    except MonitorError as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.show", case_id=case_id, _anchor="phan-hoi"))
    return Response(
        doc.content,
        mimetype=doc.media_type,
        headers={"Content-Disposition": f'attachment; filename="{doc.filename}"'},
    )
