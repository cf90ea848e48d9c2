"""Press responses against a real database (SQLite and PostgreSQL): the draft → return → redraft →
approve → publish path, versions and comments kept, authorisation, the pre-filled correction request
and its .docx."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError
from test_queue_support import NOW, QUEUE_STORY, seed_article, seed_source, seed_users

from monitor.config import parse_config
from monitor.config_tables import QueueSettings
from monitor.errors import NotFoundError, PermissionDeniedError, StaleVersionError, TransitionError
from monitor.pipeline.queue import run_queue_stage
from monitor.queue import response_service as svc
from monitor.queue.responses import clean_draft
from monitor.queue.service import Decision, act
from monitor.store.cases import case_events, get_case
from monitor.store.response_tables import ResponseCommentRow, ResponseVersionRow
from monitor.vocab import Action, State

SETTINGS = QueueSettings()
CONFIG = parse_config(
    """
[letters]
department = "Phòng Tham mưu"
symbol = "CAT-PTM"
signer_title = "KT. GIÁM ĐỐC\\nPHÓ GIÁM ĐỐC"
signer_name = "Nguyễn Văn Bình"

[[source]]
key = "baokontum"
name = "Báo Kon Tum"
url = "https://baokontum.vn/rss"
contact = "155 Bà Triệu, TP Kon Tum; toasoan@baokontum.vn"

[[watch]]
key = "ca-kon-tum"
kind = "unit"
name = "Công an tỉnh Kon Tum"
""",
    Path("sources.toml"),
)
EVIDENCE = "https://congan.kontum.gov.vn/thong-bao-cap-can-cuoc"


def t(minutes: int):
    return NOW + timedelta(minutes=minutes)


@pytest.fixture
def case_id(db) -> int:
    """A real flagged story from Báo Kon Tum, verified false by a collaborator: a response is needed."""
    seed_users(db)
    with db.write() as s:
        src = seed_source(s, "baokontum", "Báo Kon Tum")
        aid = seed_article(s, src, *QUEUE_STORY, at=NOW - timedelta(hours=2))
    run_queue_stage(db, [aid], SETTINGS, NOW - timedelta(hours=1))
    [cid] = [1]
    act(db, cid, "ctv1", Decision(Action.CLAIM), SETTINGS, NOW)
    verdict = Decision(
        Action.VERIFY,
        verdict=State.VERIFIED_FALSE,
        note="Điểm cấp căn cước mở cửa từ 7 giờ, không có người xếp hàng từ 4 giờ sáng.",
        evidence=(EVIDENCE,),
    )
    assert act(db, cid, "ctv1", verdict, SETTINGS, NOW).state == State.RESPONSE_NEEDED.value
    return cid


def _state(db, case_id: int) -> str:
    with db.read() as s:
        return get_case(s, case_id).state


def test_draft_return_redraft_approve_publish(db, case_id):
    first = clean_draft("thông cáo", "Thông cáo về việc cấp căn cước", "Công an tỉnh Kon Tum thông tin …")
    saved = svc.save_draft(db, case_id, "bcv", first, SETTINGS, t(1))
    assert saved.version == 1 and saved.submitted_version is None
    assert _state(db, case_id) == State.RESPONSE_NEEDED.value  # saving is not sending
    svc.submit(db, case_id, "bcv", SETTINGS, t(2), note="Kính trình lãnh đạo duyệt.")
    assert _state(db, case_id) == State.RESPONSE_DRAFTED.value

    back = svc.return_for_revision(
        db,
        case_id,
        "ld",
        "Bổ sung giờ làm việc thứ Bảy, Chủ nhật.",
        SETTINGS,
        t(3),
        expected_response_version=1,
    )
    assert back.submitted_version is None
    assert _state(db, case_id) == State.RESPONSE_RETURNED.value
    with pytest.raises(TransitionError, match="lưu bản mới"):  # the returned text unchanged: refused
        svc.submit(db, case_id, "bcv", SETTINGS, t(3))
    assert svc.view(db, case_id, "bcv", t(3)).allowed == (Action.DRAFT,)

    second = clean_draft(
        "press_statement",
        "Thông cáo về việc cấp căn cước tại Công an tỉnh Kon Tum",
        "Công an tỉnh Kon Tum thông tin …\n\nĐiểm cấp căn cước làm việc cả thứ Bảy và Chủ nhật.",
    )
    assert svc.save_draft(db, case_id, "bcv", second, SETTINGS, t(4)).version == 2
    assert _state(db, case_id) == State.RESPONSE_RETURNED.value
    svc.submit(db, case_id, "bcv", SETTINGS, t(5))
    with pytest.raises(TransitionError, match="bản 2"):  # the leader read version 1: refused
        svc.approve(db, case_id, "ld", SETTINGS, t(6), expected_response_version=1)
    approved = svc.approve(db, case_id, "ld", SETTINGS, t(6), expected_response_version=2)
    assert approved.approved_version == 2 and approved.approved_by == "ld"

    published_at = t(7) - timedelta(minutes=30)
    done = svc.publish(
        db,
        case_id,
        "bcv",
        "Cổng thông tin Công an tỉnh",
        "https://congan.kontum.gov.vn/tc",
        published_at,
        SETTINGS,
        t(7),
    )
    assert (done.channel, done.url, done.published_at, done.published_by) == (
        "Cổng thông tin Công an tỉnh",
        "https://congan.kontum.gov.vn/tc",
        published_at,
        "bcv",
    )

    view = svc.view(db, case_id, "ld", t(8))
    assert view.case.state == State.RESPONSE_PUBLISHED.value
    assert view.case.response_url == "https://congan.kontum.gov.vn/tc"
    assert [(v.version, v.title, v.author) for v in view.versions] == [
        (1, "Thông cáo về việc cấp căn cước", "bcv"),
        (2, "Thông cáo về việc cấp căn cước tại Công an tỉnh Kon Tum", "bcv"),
    ]
    assert view.versions[1].body.endswith("cả thứ Bảy và Chủ nhật.")
    assert [(c.action, c.author, c.version) for c in view.comments] == [
        ("submit", "bcv", 1),
        ("return", "ld", 1),
    ]
    assert view.comments[1].text == "Bổ sung giờ làm việc thứ Bảy, Chủ nhật."
    with db.read() as s:
        events = case_events(s, case_id)
    tail = [(e.action, e.from_state, e.to_state, e.actor) for e in events][-7:]
    assert tail == [
        ("draft", "response_needed", "response_needed", "bcv"),
        ("submit", "response_needed", "response_drafted", "bcv"),
        ("return", "response_drafted", "response_returned", "ld"),
        ("draft", "response_returned", "response_returned", "bcv"),
        ("submit", "response_returned", "response_drafted", "bcv"),
        ("approve", "response_drafted", "response_approved", "ld"),
        ("publish", "response_approved", "response_published", "bcv"),
    ]
    assert events[-5].note == "Bổ sung giờ làm việc thứ Bảy, Chủ nhật."


def test_who_may_do_what(db, case_id):
    draft = clean_draft("bài đăng", "Thông tin về cấp căn cước", "Nội dung bài đăng.")
    with pytest.raises(PermissionDeniedError, match="cộng tác viên"):
        svc.save_draft(db, case_id, "ctv1", draft, SETTINGS, t(1))
    with pytest.raises(PermissionDeniedError, match="lãnh đạo"):
        svc.save_draft(db, case_id, "ld", draft, SETTINGS, t(1))
    with pytest.raises(TransitionError, match="Chưa có bản thảo"):
        svc.submit(db, case_id, "bcv", SETTINGS, t(1))
    svc.save_draft(db, case_id, "qt", draft, SETTINGS, t(1))  # an admin may do anything
    with pytest.raises(PermissionDeniedError, match="báo cáo viên"):
        svc.approve(db, case_id, "bcv", SETTINGS, t(2))
    svc.submit(db, case_id, "bcv", SETTINGS, t(2))
    with pytest.raises(TransitionError, match="đã soạn phản hồi"):  # no edits while a leader reads it
        svc.save_draft(db, case_id, "bcv", draft, SETTINGS, t(3))
    with pytest.raises(TransitionError, match="lý do"):  # a return must say why
        svc.return_for_revision(db, case_id, "ld", "  ", SETTINGS, t(3))
    with pytest.raises(PermissionDeniedError, match="cộng tác viên"):
        svc.comment(db, case_id, "ctv1", "Tôi góp ý", t(3))
    with pytest.raises(PermissionDeniedError, match="cộng tác viên"):
        svc.document(db, case_id, "ctv1", CONFIG, t(3))
    svc.comment(db, case_id, "ld", "Nên nêu rõ số điện thoại đường dây nóng.", t(3))
    svc.approve(db, case_id, "qt", SETTINGS, t(4))
    with pytest.raises(PermissionDeniedError, match="lãnh đạo"):
        svc.publish(db, case_id, "ld", "Báo Kon Tum", "https://baokontum.vn/a", t(4), SETTINGS, t(5))
    with pytest.raises(TransitionError, match="tương lai"):
        svc.publish(db, case_id, "bcv", "Báo Kon Tum", "https://baokontum.vn/a", t(60), SETTINGS, t(5))
    with pytest.raises(TransitionError, match="http"):
        svc.publish(db, case_id, "bcv", "Báo Kon Tum", "javascript:alert(1)", t(4), SETTINGS, t(5))
    with pytest.raises(NotFoundError):
        svc.view(db, 999, "bcv", t(5))
    view = svc.view(db, case_id, "bcv", t(5))
    assert view.allowed == (Action.PUBLISH,) and view.may_comment
    assert svc.view(db, case_id, "ld", t(5)).allowed == (Action.RETURN,)
    assert (
        svc.view(db, case_id, "ctv1", t(5)).allowed == ()
        and not svc.view(db, case_id, "ctv1", t(5)).may_comment
    )


def test_the_generic_case_action_refuses_response_steps(db, case_id):
    with pytest.raises(TransitionError, match="monitor response"):
        act(db, case_id, "bcv", Decision(Action.DRAFT), SETTINGS, t(1))


def test_stale_case_version_is_refused(db, case_id):
    with db.read() as s:
        seen = get_case(s, case_id).version
    draft = clean_draft("thông cáo", "Thông cáo", "Nội dung.")
    svc.save_draft(db, case_id, "bcv", draft, SETTINGS, t(1), expected_version=seen)
    with pytest.raises(StaleVersionError):  # a second editor who looked at the same version
        svc.save_draft(db, case_id, "qt", draft, SETTINGS, t(2), expected_version=seen)


def test_versions_and_comments_are_append_only(db, case_id):
    draft = clean_draft("thông cáo", "Thông cáo", "Nội dung.")
    svc.save_draft(db, case_id, "bcv", draft, SETTINGS, t(1))
    svc.comment(db, case_id, "ld", "Góp ý", t(2))
    for table in (ResponseVersionRow.__table__, ResponseCommentRow.__table__):
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(table.update().values(at=t(9)))
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(table.delete())


def test_correction_request_prefilled_from_the_case_and_exported(db, case_id):
    from docx import Document

    outlet_key, outlet_name = svc.resolve_outlet(db, "baokontum")
    assert (outlet_key, outlet_name) == ("baokontum", "Báo Kon Tum")
    assert svc.resolve_outlet(db, "Báo Thanh Niên") == (None, "Báo Thanh Niên")
    draft = svc.prefill_correction(db, case_id, "Công an tỉnh Kon Tum", outlet_key)
    assert draft.outlet_name == "Báo Kon Tum" and draft.title.endswith(f"“{QUEUE_STORY[0]}”")
    for words in (
        "Báo Kon Tum đăng bài viết",
        QUEUE_STORY[0],
        "https://x.vn/",  # the article's URL
        "27/11/2026",  # its date, in Vietnam time
        "Công an tỉnh Kon Tum",  # the disputed passage (the mention's snippet)
        "sai sự thật",  # the verdict
        "không có người xếp hàng từ 4 giờ sáng",  # the collaborator's note
        EVIDENCE,
        "Điều 42 Luật Báo chí năm 2016",
    ):
        assert words in draft.body, words
    svc.save_draft(db, case_id, "bcv", draft, SETTINGS, t(1))

    doc = svc.document(db, case_id, "bcv", CONFIG, t(2))
    assert doc.filename == f"phan-hoi-vu-viec-{case_id}-ban-1.docx"
    text = _docx_text(Document(io.BytesIO(doc.content)))
    for words in (
        "DỰ THẢO",  # not approved yet
        "CÔNG AN TỈNH KON TUM",
        "PHÒNG THAM MƯU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:        /CAT-PTM",
        "V/v đề nghị cải chính thông tin trên báo chí",
        "Kon Tum, ngày 27 tháng 11 năm 2026",
        "Kính gửi: Ban Biên tập Báo Kon Tum.",
        "Nơi nhận:",
        "- Như trên (155 Bà Triệu, TP Kon Tum; toasoan@baokontum.vn);",
        "- Lưu: VT, Phòng Tham mưu.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Bình",
        EVIDENCE,
    ):
        assert words in text, words
    svc.submit(db, case_id, "bcv", SETTINGS, t(3))
    svc.approve(db, case_id, "ld", SETTINGS, t(4))
    approved = _docx_text(Document(io.BytesIO(svc.document(db, case_id, "ld", CONFIG, t(5)).content)))
    assert "DỰ THẢO" not in approved


def _docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)
