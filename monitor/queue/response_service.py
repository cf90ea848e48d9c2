"""Working on a case's press response: draft, send for approval, approve or return, publish, comment,
download. One write transaction each: the case's conditional UPDATE (queue/service.decide, the same
checks as every other case action) and the response rows commit together or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.config_tables import QueueSettings
from monitor.errors import NotFoundError, PermissionDeniedError, TransitionError
from monitor.queue import responses as rules
from monitor.queue.letters import build_letter
from monitor.queue.service import Decision, decide
from monitor.store import cases as store_cases
from monitor.store import responses as store
from monitor.store import users as store_users
from monitor.timefmt import iso_local
from monitor.vocab import ROLE_LABELS, Action, ResponseKind, Role, State

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.store.db import Database, Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResponseView:
    """Everything the response part of a case page shows, and what this viewer may do."""

    case: store_cases.CaseInfo
    response: store.ResponseInfo | None
    versions: list[store.VersionInfo]
    comments: list[store.CommentInfo]
    allowed: tuple[Action, ...]
    may_comment: bool


def _case(session: Session, case_id: int) -> store_cases.CaseInfo:
    case = store_cases.get_case(session, case_id)
    if case is None:
        raise NotFoundError(f"Không có vụ việc #{case_id}.")
    return case


def _view(session: Session, case_id: int, username: str, now: datetime) -> ResponseView:
    user = store_users.get_user(session, username)
    case = _case(session, case_id)
    return view_of(session, case, store.get_response(session, case_id), user, now)


def view_of(
    session: Session,
    case: store_cases.CaseInfo,
    resp: store.ResponseInfo | None,
    user: store_users.User,
    now: datetime,
) -> ResponseView:
    """`view` from the case, its response and the viewer already read in this session (the case page)."""
    role = Role(user.role)
    returned = store.returned_version(session, resp.id) if resp else None
    revised = resp is not None and (returned is None or resp.version > returned)
    return ResponseView(
        case=case,
        response=resp,
        versions=store.versions(session, resp.id) if resp else [],
        comments=store.comments(session, resp.id) if resp else [],
        allowed=rules.allowed_actions(State(case.state), role, resp is not None, now, revised=revised),
        may_comment=rules.may_comment(role) and resp is not None,
    )


def view(db: Database, case_id: int, username: str, now: datetime) -> ResponseView:
    """The response of a case with its versions and comments, as `username` sees it."""
    with db.read() as session:
        return _view(session, case_id, username, now)


def resolve_outlet(db: Database, outlet: str | None) -> tuple[str | None, str | None]:
    """A typed outlet: a configured source key becomes (key, its name); anything else is a free name."""
    text = (outlet or "").strip()
    if not text:
        return None, None
    with db.read() as session:
        name = store.source_name(session, text)
    return (text, name) if name else (None, text)


def _facts(session: Session, case_id: int) -> rules.CaseFacts:
    case = _case(session, case_id)
    note, evidence = store.verdict_record(session, case_id)
    articles = tuple(
        rules.ArticleFacts(a.source_key, a.source_name, a.title, a.url, a.published_at, a.snippet)
        for a in store.case_articles(session, case_id)
    )
    title = articles[0].title if articles else f"Vụ việc #{case_id}"
    return rules.CaseFacts(case_id, title, case.verdict, note, tuple(evidence), articles)


def prefill_correction(db: Database, case_id: int, issuer: str, outlet_key: str | None = None) -> rules.Draft:
    """A correction request drafted from the case's facts (not saved: the reporter edits, then saves)."""
    with db.read() as session:
        return rules.correction_prefill(_facts(session, case_id), issuer, outlet_key)


def _require(resp: store.ResponseInfo | None, case_id: int) -> store.ResponseInfo:
    if resp is None:
        raise TransitionError(f"Vụ việc #{case_id} chưa có bản thảo phản hồi; hãy soạn (draft) trước.")
    return resp


def save_draft(
    db: Database,
    case_id: int,
    username: str,
    draft: rules.Draft,
    settings: QueueSettings,
    now: datetime,
    expected_version: int | None = None,
) -> store.ResponseInfo:
    """Save `draft` as the next version of the case's response (the reporter's own edit)."""
    with db.write() as session:
        resp = store.get_response(session, case_id)
        version = (resp.version if resp else 0) + 1
        d = Decision(
            Action.DRAFT,
            note=f"{draft.title} (bản {version})",
            expected_version=expected_version,
            details={"response_version": version, "kind": draft.kind.value},
        )
        decided = decide(session, case_id, username, d, settings, now)
        user = store_users.get_user(session, username)
        row = store.Draft(draft.kind.value, draft.title, draft.body, draft.outlet_key, draft.outlet_name)
        store.save_version(session, decided.id, row, user.id, now)
        log.info("response drafted", extra={"case_id": case_id, "response_version": version})
        return _require(store.get_response(session, case_id), case_id)


def submit(
    db: Database, case_id: int, username: str, settings: QueueSettings, now: datetime, note: str = ""
) -> store.ResponseInfo:
    """Send the latest version to a leader for approval."""
    note = rules.clean_comment(note, required=False)
    with db.write() as session:
        resp = store.get_response(session, case_id)
        rules.check_submit(resp is not None)
        resp = _require(resp, case_id)
        case = _case(session, case_id)
        if case.state == State.RESPONSE_RETURNED:
            rules.check_submit(True, resp.version, store.returned_version(session, resp.id))
        d = Decision(Action.SUBMIT, note=note, details={"response_version": resp.version})
        decide(session, case_id, username, d, settings, now)
        store.mark_submitted(session, resp.id, now)
        if note:
            user = store_users.get_user(session, username)
            store.add_comment(session, resp.id, resp.version, Action.SUBMIT.value, user.id, note, now)
        return _require(store.get_response(session, case_id), case_id)


def approve(
    db: Database,
    case_id: int,
    username: str,
    settings: QueueSettings,
    now: datetime,
    note: str = "",
    expected_response_version: int | None = None,
) -> store.ResponseInfo:
    """A leader approves the version they read."""
    note = rules.clean_comment(note, required=False)
    with db.write() as session:
        resp = _require(store.get_response(session, case_id), case_id)
        rules.check_expected(resp.version, expected_response_version)
        d = Decision(Action.APPROVE, note=note, details={"response_version": resp.version})
        decide(session, case_id, username, d, settings, now)
        user = store_users.get_user(session, username)
        store.mark_approved(session, resp.id, user.id, now)
        if note:
            store.add_comment(session, resp.id, resp.version, Action.APPROVE.value, user.id, note, now)
        return _require(store.get_response(session, case_id), case_id)


def return_for_revision(
    db: Database,
    case_id: int,
    username: str,
    note: str,
    settings: QueueSettings,
    now: datetime,
    expected_response_version: int | None = None,
) -> store.ResponseInfo:
    """A leader sends the response back to the reporter with a comment saying what to change."""
    note = rules.clean_comment(note, required=True)
    with db.write() as session:
        resp = _require(store.get_response(session, case_id), case_id)
        rules.check_expected(resp.version, expected_response_version)
        d = Decision(Action.RETURN, note=note, details={"response_version": resp.version})
        decide(session, case_id, username, d, settings, now)
        user = store_users.get_user(session, username)
        store.mark_returned(session, resp.id, now)
        store.add_comment(session, resp.id, resp.version, Action.RETURN.value, user.id, note, now)
        return _require(store.get_response(session, case_id), case_id)


def publish(
    db: Database,
    case_id: int,
    username: str,
    channel: str,
    url: str,
    at: datetime,
    settings: QueueSettings,
    now: datetime,
) -> store.ResponseInfo:
    """Record where and when the approved response was published."""
    pub = rules.clean_publication(channel, url, at, now)
    with db.write() as session:
        resp = _require(store.get_response(session, case_id), case_id)
        d = Decision(
            Action.PUBLISH,
            url=pub.url,
            note=pub.channel,
            details={"channel": pub.channel, "published_at": iso_local(pub.at)},
        )
        decide(session, case_id, username, d, settings, now)
        user = store_users.get_user(session, username)
        store.mark_published(session, resp.id, pub.channel, pub.url, pub.at, user.id, now)
        return _require(store.get_response(session, case_id), case_id)


def _may_comment(session: Session, username: str, action: str, case_id: int) -> store_users.User:
    user = store_users.get_user(session, username)
    if not rules.may_comment(Role(user.role)):
        raise PermissionDeniedError(
            f"Vai trò {ROLE_LABELS[Role(user.role)]} không được góp ý hay tải văn bản phản hồi báo chí.",
            action=action,
            obj=f"case {case_id}",
        )
    return user


def comment(db: Database, case_id: int, username: str, text: str, now: datetime) -> store.CommentInfo:
    """Add a comment to the case's response (reporters, leaders and admins)."""
    text = rules.clean_comment(text, required=True)
    with db.write() as session:
        user = _may_comment(session, username, "response_comment", case_id)
        _case(session, case_id)
        resp = _require(store.get_response(session, case_id), case_id)
        store.add_comment(session, resp.id, resp.version, "comment", user.id, text, now)
        return store.comments(session, resp.id)[-1]


@dataclass(frozen=True)
class Document:
    """A downloadable response document."""

    filename: str
    content: bytes
    media_type: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document(db: Database, case_id: int, username: str, config: Config, now: datetime) -> Document:
    """The response laid out for signing, as .docx (a version not yet approved is marked "DỰ THẢO")."""
    from monitor.letter_docx import letter_docx

    with db.read() as session:
        _may_comment(session, username, "response_document", case_id)
        _case(session, case_id)
        resp = _require(store.get_response(session, case_id), case_id)
    units = tuple(w.name for w in config.watches if w.kind == "unit")
    contact = None
    if resp.outlet_key:
        contact = next((s.contact for s in config.sources if s.key == resp.outlet_key), None)
    draft = rules.Draft(ResponseKind(resp.kind), resp.title, resp.body, resp.outlet_key, resp.outlet_name)
    approved = resp.approved_version == resp.version
    letter = build_letter(draft, config.letters, units, now, contact, approved=approved)
    name = f"phan-hoi-vu-viec-{case_id}-ban-{resp.version}.docx"
    return Document(name, letter_docx(letter, now))
