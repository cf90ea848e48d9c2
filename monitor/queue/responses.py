"""Press responses as pure decisions: what a valid draft is, who may do what beyond the case workflow,
and the correction request pre-filled from a case's facts (DESIGN.md "Press responses").

The state of the case (response_needed → response_drafted → …) is decided by `workflow.transition`;
this module adds what the workflow cannot see: the text itself, the version a leader approves, the
publication record and comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.errors import TransitionError
from monitor.queue.workflow import Claim, transition
from monitor.store.responses import ResponseInfo
from monitor.timefmt import fmt_date, fmt_datetime
from monitor.vocab import Action, ResponseKind, Role, State, choices, label, parse

MAX_TITLE = 300
MAX_BODY = 20_000
MAX_COMMENT = 4_000
MAX_CHANNEL = 300
# A publication time a little ahead of the server clock is a clock difference, more is a typo.
PUBLISH_CLOCK_SLACK = timedelta(minutes=10)
# Who may write comments on a response and download it (deny by default: collaborators do neither).
_COMMENTERS = (Role.REPORTER, Role.LEADER, Role.ADMIN)


@dataclass(frozen=True)
class Draft:
    """The text of one version of a response."""

    kind: ResponseKind
    title: str
    body: str
    outlet_key: str | None = None  # a [[source]] key when the response addresses a configured outlet
    outlet_name: str | None = None


@dataclass(frozen=True)
class Publication:
    """Where and when an approved response was published."""

    channel: str
    url: str
    at: datetime


@dataclass(frozen=True)
class ArticleFacts:
    """One article of the case's story, as a correction request cites it."""

    source_key: str
    source_name: str
    title: str
    url: str
    published_at: datetime
    snippet: str | None = None  # the passage that mentions the unit, if any


@dataclass(frozen=True)
class CaseFacts:
    """What a correction request needs to know about a case."""

    case_id: int
    story_title: str
    verdict: str | None
    verdict_note: str
    evidence: tuple[str, ...]
    articles: tuple[ArticleFacts, ...]


def _squash(text: str) -> str:
    return " ".join(text.split())


def parse_kind(kind: str | ResponseKind) -> ResponseKind:
    """The response kind a user meant (id, Vietnamese label, short alias) or a Vietnamese refusal."""
    parsed = kind if isinstance(kind, ResponseKind) else parse(ResponseKind, kind)
    if parsed is None:
        raise TransitionError(f"Loại phản hồi “{kind}” không có; chọn một trong: {choices(ResponseKind)}.")
    return parsed


def clean_draft(
    kind: str | ResponseKind,
    title: str,
    body: str,
    outlet_key: str | None = None,
    outlet_name: str | None = None,
) -> Draft:
    """A validated draft (title on one line, body kept with its paragraphs) or a Vietnamese refusal."""
    parsed = parse_kind(kind)
    title = _squash(title)
    body = "\n\n".join(p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip())
    if not title:
        raise TransitionError("Tiêu đề phản hồi không được để trống.")
    if len(title) > MAX_TITLE:
        raise TransitionError(f"Tiêu đề phản hồi dài quá {MAX_TITLE} ký tự.")
    if not body:
        raise TransitionError("Nội dung phản hồi không được để trống.")
    if len(body) > MAX_BODY:
        raise TransitionError(f"Nội dung phản hồi dài quá {MAX_BODY} ký tự.")
    outlet_name = _squash(outlet_name or "") or None
    if parsed is ResponseKind.CORRECTION_REQUEST and not outlet_name:
        raise TransitionError("Đề nghị cải chính cần ghi rõ cơ quan báo chí nhận (--outlet).")
    return Draft(parsed, title, body, outlet_key or None, outlet_name)


def clean_comment(text: str, *, required: bool = True) -> str:
    """A comment's text, trimmed; refused when empty (a return must say why) or too long."""
    text = text.strip()
    if required and not text:
        raise TransitionError("Cần ghi nhận xét (lý do trả lại hoặc góp ý) cho phản hồi.")
    if len(text) > MAX_COMMENT:
        raise TransitionError(f"Nhận xét dài quá {MAX_COMMENT} ký tự.")
    return text


def clean_publication(channel: str, url: str, at: datetime, now: datetime) -> Publication:
    """A validated publication record: a channel, an http(s) URL and a time not in the future."""
    channel = _squash(channel)
    if not channel:
        raise TransitionError("Cần ghi kênh đã đăng phản hồi (--channel), ví dụ “Báo Kon Tum”.")
    if len(channel) > MAX_CHANNEL:
        raise TransitionError(f"Tên kênh đăng dài quá {MAX_CHANNEL} ký tự.")
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > 2048 or any(c.isspace() for c in url):
        raise TransitionError(f"Đường dẫn “{url}” không hợp lệ: cần bắt đầu bằng http:// hoặc https://.")
    if at.tzinfo is None:
        raise ValueError("publication time must be timezone-aware")
    if at > now + PUBLISH_CLOCK_SLACK:
        raise TransitionError("Thời điểm đăng phản hồi không thể ở tương lai.")
    return Publication(channel, url, at)


def may_comment(role: Role) -> bool:
    """Whether a user with `role` may comment on (and download) a response."""
    return role in _COMMENTERS


def check_submit(has_response: bool, version: int = 0, returned_version: int | None = None) -> None:
    """Sending for approval needs a saved draft, and after a return a new version of it."""
    if not has_response:
        raise TransitionError("Chưa có bản thảo phản hồi; hãy soạn (draft) trước khi gửi duyệt.")
    if returned_version is not None and returned_version >= version:
        raise TransitionError(
            f"Bản {version} đã bị lãnh đạo trả lại; hãy sửa và lưu bản mới trước khi gửi duyệt lại."
        )


def check_expected(current: int, expected: int | None) -> None:
    """Approving or returning a version other than the one the leader read is refused."""
    if expected is not None and expected != current:
        raise TransitionError(
            f"Phản hồi đã có bản {current}, bạn đang xem bản {expected}; hãy đọc lại trước khi quyết định."
        )


def pick_article(facts: CaseFacts, outlet_key: str | None) -> ArticleFacts | None:
    """The article a correction request is about: the outlet's own, else the first one published."""
    if outlet_key:
        for a in facts.articles:
            if a.source_key == outlet_key:
                return a
    return facts.articles[0] if facts.articles else None


def correction_prefill(facts: CaseFacts, issuer: str, outlet_key: str | None = None) -> Draft:
    """A correction request drafted from the case: outlet, article, date, disputed claim, verdict, evidence."""
    article = pick_article(facts, outlet_key)
    if article is None:
        raise TransitionError(f"Vụ việc #{facts.case_id} không có bài viết nào để đề nghị cải chính.")
    # the snippet marks the mention «like this»: the letter quotes the words only
    claim = (
        article.snippet.replace("«", "").replace("»", "").strip("… ") if article.snippet else article.title
    )
    verdict = label(facts.verdict) if facts.verdict else "chưa có kết luận"
    paragraphs = [
        f"Ngày {fmt_date(article.published_at)}, {article.source_name} đăng bài viết “{article.title}” "
        f"tại địa chỉ {article.url}.",
        f"Bài viết có nội dung: “{claim}”.",
        f"Qua xác minh, {issuer} kết luận nội dung trên là {verdict}."
        + (f" {facts.verdict_note.strip()}" if facts.verdict_note.strip() else ""),
    ]
    if facts.evidence:
        paragraphs.append("Căn cứ xác minh:\n" + "\n".join(f"- {url}" for url in facts.evidence))
    paragraphs.append(
        f"Căn cứ Điều 42 Luật Báo chí năm 2016 về cải chính trên báo chí, {issuer} đề nghị "
        f"{article.source_name} đăng, phát lời cải chính, xin lỗi, gỡ bỏ thông tin sai sự thật và thông "
        f"báo kết quả cho {issuer}."
    )
    return Draft(
        ResponseKind.CORRECTION_REQUEST,
        f"Đề nghị cải chính thông tin trong bài viết “{article.title}”"[:MAX_TITLE],
        "\n\n".join(paragraphs),
        article.source_key,
        article.source_name,
    )


def response_states() -> Sequence[State]:
    """Case states in which a response is being worked on or done (for views and filters)."""
    return (
        State.RESPONSE_NEEDED,
        State.RESPONSE_DRAFTED,
        State.RESPONSE_RETURNED,
        State.RESPONSE_APPROVED,
        State.RESPONSE_PUBLISHED,
    )


def allowed_actions(
    state: State, role: Role, has_response: bool, now: datetime, *, revised: bool = True
) -> tuple[Action, ...]:
    """The response actions a user with `role` may take now (the edges show these buttons only);
    `revised`: a new version was saved since the last return (else it cannot be sent again)."""
    out = []
    for action in (Action.DRAFT, Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.PUBLISH):
        if action in (Action.SUBMIT, Action.APPROVE, Action.PUBLISH) and not has_response:
            continue
        if action is Action.SUBMIT and state is State.RESPONSE_RETURNED and not revised:
            continue
        if transition(state, action, role, actor="", claim=Claim(), now=now).ok:
            out.append(action)
    return tuple(out)


def status_text(resp: ResponseInfo, state: str) -> str:
    """Where the text stands, in one Vietnamese phrase: saved, sent, returned, approved, published."""
    if resp.published_at:
        return f"đã đăng trên {resp.channel} lúc {fmt_datetime(resp.published_at)}"
    if resp.approved_version == resp.version:
        return f"bản {resp.version} đã được {resp.approved_by} duyệt lúc {fmt_datetime(resp.approved_at)}"
    if resp.submitted_version == resp.version:
        return f"bản {resp.version} đang chờ lãnh đạo duyệt"
    if state == State.RESPONSE_RETURNED:
        return f"lãnh đạo đã trả lại để sửa; bản {resp.version} chưa gửi duyệt lại"
    return f"bản {resp.version} chưa gửi duyệt"
