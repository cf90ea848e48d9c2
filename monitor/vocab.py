"""The one vocabulary: every id the system stores and the Vietnamese word a user sees for it.

Topic and tone ids (DESIGN.md taxonomy), case states, actions, roles, priorities and verdicts live here
and nowhere else. Every edge (CLI, web, email) renders `label(...)` and parses a user's word with
`parse(...)`, which accepts the id, the Vietnamese label (with or without diacritics) and short aliases.
Pure data: importing this module imports nothing of ours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar


class Topic(StrEnum):
    """DESIGN.md topic taxonomy."""

    AN_NINH_TRAT_TU = "an_ninh_trat_tu"
    MA_TUY = "ma_tuy"
    GIAO_THONG = "giao_thong"
    LUA_DAO = "lua_dao"
    THAM_NHUNG = "tham_nhung"
    CHAY_NO_CUU_NAN = "chay_no_cuu_nan"
    DICH_VU_CONG = "dich_vu_cong"
    XAY_DUNG_LUC_LUONG = "xay_dung_luc_luong"
    KHAC = "khac"


class Tone(StrEnum):
    """Tone toward the unit and public order in the province (not generic sentiment)."""

    TIEU_CUC = "tieu_cuc"
    TRUNG_TINH = "trung_tinh"
    TICH_CUC = "tich_cuc"


class State(StrEnum):
    """Where a case is in the verification workflow."""

    NEW = "new"
    IN_REVIEW = "in_review"
    VERIFIED_TRUE = "verified_true"
    VERIFIED_FALSE = "verified_false"
    PARTLY_TRUE = "partly_true"
    IRRELEVANT = "irrelevant"
    RESPONSE_NEEDED = "response_needed"
    RESPONSE_DRAFTED = "response_drafted"  # drafted and sent to a leader for approval
    RESPONSE_RETURNED = "response_returned"  # a leader sent it back with a comment; the reporter redrafts
    RESPONSE_APPROVED = "response_approved"
    RESPONSE_PUBLISHED = "response_published"
    CLOSED = "closed"


class Action(StrEnum):
    """What a user can do to a case."""

    CLAIM = "claim"
    RELEASE = "release"
    VERIFY = "verify"
    DRAFT = "draft"  # save a version of the response (no change of state but from a resting verdict)
    SUBMIT = "submit"  # send the draft to a leader for approval
    APPROVE = "approve"
    RETURN = "return"  # a leader sends the draft back with a comment
    PUBLISH = "publish"
    CLOSE = "close"
    SET_PRIORITY = "set_priority"
    REOPEN = "reopen"
    ASSIGN = "assign"
    UNASSIGN = "unassign"  # the case is nobody's assignment any more (its collaborator was disabled)
    CORRECT = "correct"
    CONFIRM_EVENT = "confirm_event"  # this case's story and another tell one event (queue.events)
    SPLIT_EVENT = "split_event"  # … they do not: never suggested again


class Relation(StrEnum):
    """What is known about two stories that may tell one event (store.relations)."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    SPLIT = "split"


class ResponseKind(StrEnum):
    """What kind of document a press response is (DESIGN.md "Press responses")."""

    PRESS_STATEMENT = "press_statement"
    CORRECTION_REQUEST = "correction_request"  # to the outlet, under the Press Law 2016 (art. 42)
    UNIT_POST = "unit_post"


class Role(StrEnum):
    """Who a user is (DESIGN.md roles)."""

    COLLABORATOR = "collaborator"
    REPORTER = "reporter"
    LEADER = "leader"
    ADMIN = "admin"


class Priority(StrEnum):
    """How fast a case must be handled."""

    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"


TOPICS: tuple[str, ...] = tuple(Topic)
TONES: tuple[str, ...] = tuple(Tone)
VERDICTS = (State.VERIFIED_TRUE, State.VERIFIED_FALSE, State.PARTLY_TRUE, State.IRRELEVANT)
OPEN_STATES = tuple(s for s in State if s is not State.CLOSED)
PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.NORMAL: 2}  # lower sorts first

TOPIC_LABELS: Mapping[str, str] = {
    Topic.AN_NINH_TRAT_TU: "An ninh, trật tự",
    Topic.MA_TUY: "Ma túy",
    Topic.GIAO_THONG: "Giao thông",
    Topic.LUA_DAO: "Lừa đảo, tội phạm mạng",
    Topic.THAM_NHUNG: "Tham nhũng, tiêu cực",
    Topic.CHAY_NO_CUU_NAN: "Cháy nổ, cứu nạn",
    Topic.DICH_VU_CONG: "Thủ tục hành chính, dịch vụ công",
    Topic.XAY_DUNG_LUC_LUONG: "Xây dựng lực lượng",
    Topic.KHAC: "Khác",
}
TONE_LABELS: Mapping[str, str] = {"tieu_cuc": "tiêu cực", "trung_tinh": "trung tính", "tich_cuc": "tích cực"}
STATE_LABELS: Mapping[str, str] = {
    State.NEW: "mới",
    State.IN_REVIEW: "đang xác minh",
    State.VERIFIED_TRUE: "đúng sự thật",
    State.VERIFIED_FALSE: "sai sự thật",
    State.PARTLY_TRUE: "đúng một phần",
    State.IRRELEVANT: "không liên quan",
    State.RESPONSE_NEEDED: "cần phản hồi",
    State.RESPONSE_DRAFTED: "đã soạn phản hồi",
    State.RESPONSE_RETURNED: "phản hồi bị trả lại",
    State.RESPONSE_APPROVED: "đã duyệt phản hồi",
    State.RESPONSE_PUBLISHED: "đã đăng phản hồi",
    State.CLOSED: "đã đóng",
}
ACTION_LABELS: Mapping[str, str] = {
    Action.CLAIM: "nhận xác minh",
    Action.RELEASE: "trả lại",
    Action.VERIFY: "kết luận xác minh",
    Action.DRAFT: "soạn phản hồi",
    Action.SUBMIT: "gửi duyệt phản hồi",
    Action.APPROVE: "duyệt phản hồi",
    Action.RETURN: "trả lại phản hồi để sửa",
    Action.PUBLISH: "đăng phản hồi",
    Action.CLOSE: "đóng vụ việc",
    Action.SET_PRIORITY: "đặt mức ưu tiên",
    Action.REOPEN: "mở lại kết luận",
    Action.ASSIGN: "giao việc",
    Action.UNASSIGN: "bỏ giao việc",
    Action.CORRECT: "sửa nhãn",
    Action.CONFIRM_EVENT: "xác nhận cùng sự việc",
    Action.SPLIT_EVENT: "tách sự việc",
}
ROLE_LABELS: Mapping[str, str] = {
    Role.COLLABORATOR: "cộng tác viên dư luận",
    Role.REPORTER: "báo cáo viên",
    Role.LEADER: "lãnh đạo",
    Role.ADMIN: "quản trị",
}
PRIORITY_LABELS: Mapping[str, str] = {
    Priority.CRITICAL: "khẩn cấp",
    Priority.HIGH: "cao",
    Priority.NORMAL: "bình thường",
}
RESPONSE_KIND_LABELS: Mapping[str, str] = {
    ResponseKind.PRESS_STATEMENT: "thông cáo báo chí",
    ResponseKind.CORRECTION_REQUEST: "đề nghị cải chính gửi cơ quan báo chí",
    ResponseKind.UNIT_POST: "bài đăng trên trang của đơn vị",
}
TARGET_KIND_LABELS: Mapping[str, str] = {"unit": "đơn vị", "province": "địa bàn"}
RELATION_LABELS: Mapping[str, str] = {
    Relation.SUGGESTED: "có thể cùng sự việc",
    Relation.CONFIRMED: "cùng sự việc (đã xác nhận)",
    Relation.SPLIT: "khác sự việc (đã tách)",
}
# Events the system records on its own (a case's history shows them beside the users' actions).
EVENT_LABELS: Mapping[str, str] = {"open": "mở vụ việc", "priority": "nâng mức ưu tiên"}

# Short words a user may type for a value, besides its id and its label (CLI --verdict true, …).
_ALIASES: Mapping[type[StrEnum], Mapping[str, str]] = {
    State: {
        "true": State.VERIFIED_TRUE,
        "false": State.VERIFIED_FALSE,
        "dung": State.VERIFIED_TRUE,
        "sai": State.VERIFIED_FALSE,
        "mot phan": State.PARTLY_TRUE,
    },
    Action: {
        "priority": Action.SET_PRIORITY,
        "uu tien": Action.SET_PRIORITY,
        "nhan": Action.CLAIM,
        "tra": Action.RELEASE,
        "ket luan": Action.VERIFY,
        "xac minh": Action.VERIFY,
        "soan": Action.DRAFT,
        "gui duyet": Action.SUBMIT,
        "duyet": Action.APPROVE,
        "tra ve": Action.RETURN,
        "dang": Action.PUBLISH,
        "dong": Action.CLOSE,
        "mo lai": Action.REOPEN,
        "cung su viec": Action.CONFIRM_EVENT,
        "gop": Action.CONFIRM_EVENT,
        "tach": Action.SPLIT_EVENT,
    },
    Priority: {"khan": Priority.CRITICAL},
    Role: {"ctv": Role.COLLABORATOR, "bcv": Role.REPORTER},
    ResponseKind: {
        "thong cao": ResponseKind.PRESS_STATEMENT,
        "cai chinh": ResponseKind.CORRECTION_REQUEST,
        "de nghi cai chinh": ResponseKind.CORRECTION_REQUEST,
        "bai dang": ResponseKind.UNIT_POST,
    },
}
_LABELS: Mapping[type[StrEnum], Mapping[str, str]] = {
    Topic: TOPIC_LABELS,
    Tone: TONE_LABELS,
    State: STATE_LABELS,
    Action: ACTION_LABELS,
    Role: ROLE_LABELS,
    Priority: PRIORITY_LABELS,
    ResponseKind: RESPONSE_KIND_LABELS,
    Relation: RELATION_LABELS,
}

E = TypeVar("E", bound=StrEnum)


def label(value: str | None, default: str = "—") -> str:
    """The Vietnamese word for any id of the vocabulary (the id itself when unknown, `default` for None)."""
    if value is None or value == "":
        return default
    for table in _LABELS.values():
        if value in table:
            return table[value]
    return TARGET_KIND_LABELS.get(value) or EVENT_LABELS.get(value, value)


def fold(text: str) -> str:
    """Lower-case, diacritics removed, đ → d, spaces and '-' collapsed: how typed words are compared."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def parse(kind: type[E], word: str) -> E | None:
    """The member of `kind` a user meant by `word` (id, Vietnamese label with or without accents, alias)."""
    key = fold(word)
    if not key:
        return None
    for member in kind:
        if key == fold(member.value):
            return member
    for member_id, text in _LABELS.get(kind, {}).items():
        if key == fold(text):
            return kind(member_id)
    alias = _ALIASES.get(kind, {}).get(key)
    return kind(alias) if alias is not None else None


def choices(kind: type[StrEnum]) -> str:
    """The Vietnamese words of every member, for a usage message: "mới, đang xác minh, …"."""
    table = _LABELS.get(kind, {})
    return ", ".join(table.get(m, m.value) for m in kind)
