"""The press response on the case page and the dashboard, through the real app on a real database:
draft, return, redraft, approve, publish, download; refusals as Vietnamese sentences; charts inline."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config_tables import QueueSettings
from monitor.pipeline.queue import run_queue_stage
from monitor.queue.service import Decision, act
from monitor.vocab import Action, State
from tests.test_queue_support import QUEUE_STORY, seed_article, seed_source
from tests.web_support import csrf_of, login, make_app, seed_accounts

EVIDENCE = "https://congan.kontum.gov.vn/xac-minh-can-cuoc"


def case_needing_response(db) -> int:
    """A real story from Báo Kon Tum verified false by a collaborator (needs a response); its case id."""
    now = datetime.now(UTC)
    with db.write() as s:
        src = seed_source(s, "baokontum", "Báo Kon Tum")
        aid = seed_article(s, src, *QUEUE_STORY, at=now - timedelta(hours=3))
    run_queue_stage(db, [aid], QueueSettings(), now - timedelta(hours=2))
    act(db, 1, "ctv1", Decision(Action.CLAIM), QueueSettings(), now)
    verdict = Decision(
        Action.VERIFY, verdict=State.VERIFIED_FALSE, note="Điểm cấp mở cửa lúc 7 giờ.", evidence=(EVIDENCE,)
    )
    act(db, 1, "ctv1", verdict, QueueSettings(), now)
    return 1


@pytest.fixture
def app(db):
    seed_accounts(db)
    case_needing_response(db)
    return make_app(db)


def post(client, path: str, **form: str):
    token = csrf_of(client.get("/cases/1").text)
    return client.post(path, data={"csrf_token": token, **form})


def flashes(client) -> str:
    return " ".join(
        re.findall(r'<p class="flash[^"]*" role="status">([^<]*)</p>', client.get("/cases/1").text)
    )


def test_draft_return_redraft_approve_publish_download(app):
    bcv, ld = login(app, "bcv"), login(app, "ld")
    page = bcv.get("/cases/1").text
    assert 'id="phan-hoi"' in page and "Soạn phản hồi" in page and "Chưa có phản hồi" in page
    prefilled = bcv.get("/cases/1?prefill=correction").text
    assert "Điều 42 Luật Báo chí năm 2016" in prefilled and f"“{QUEUE_STORY[0]}”" in prefilled
    assert "Điểm cấp mở cửa lúc 7 giờ." in prefilled and EVIDENCE in prefilled
    assert '<option value="correction_request" selected>' in prefilled

    r = post(bcv, "/responses/1/draft", kind="correction_request", outlet="baokontum",
             title="Đề nghị cải chính thông tin", body="Đoạn một.\n\nĐoạn hai.")  # fmt: skip
    assert r.status_code == 302 and r.headers["Location"].endswith("/cases/1#phan-hoi")
    assert "Đã lưu bản 1" in flashes(bcv)
    assert post(bcv, "/responses/1/submit", note="Kính trình").status_code == 302

    leader_page = ld.get("/cases/1").text
    assert (
        "Duyệt bản 1" in leader_page and "Trả lại bản 1" in leader_page and "Soạn phản hồi" not in leader_page
    )
    post(ld, "/responses/1/return", note="", response_version="1")
    assert "Cần ghi nhận xét" in flashes(ld)  # a return must say why: refused in Vietnamese
    post(ld, "/responses/1/return", note="Nêu rõ giờ làm việc.", response_version="1")
    page = bcv.get("/cases/1").text
    assert "phản hồi bị trả lại" in page and "Nêu rõ giờ làm việc." in page

    post(bcv, "/responses/1/draft", kind="correction_request", outlet="baokontum",
         title="Đề nghị cải chính thông tin", body="Đoạn một.\n\nĐiểm cấp làm việc từ 7 giờ.")  # fmt: skip
    post(bcv, "/responses/1/submit")
    post(ld, "/responses/1/approve", response_version="1")
    assert "bản 2" in flashes(ld)  # the leader's page showed version 1: refused
    post(ld, "/responses/1/approve", response_version="2")
    assert "Đã duyệt bản 2" in flashes(ld)

    at = (datetime.now(UTC) + timedelta(hours=7) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    post(
        bcv,
        "/responses/1/publish",
        channel="Báo Kon Tum",
        url="https://baokontum.vn/cai-chinh",
        published_at=at,
    )
    page = ld.get("/cases/1").text
    assert "Đã đăng trên" in page and 'href="https://baokontum.vn/cai-chinh"' in page
    assert "Các bản đã lưu (2)" in page

    doc = ld.get("/responses/1/van-ban.docx")
    assert doc.status_code == 200 and doc.mimetype.endswith("wordprocessingml.document")
    assert 'filename="phan-hoi-vu-viec-1-ban-2.docx"' in doc.headers["Content-Disposition"]
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(doc.data)).paragraphs)
    assert "Kính gửi: Ban Biên tập Báo Kon Tum." in text and "DỰ THẢO" not in text


def test_refusals_and_hostile_text(app):
    ctv, bcv = login(app, "ctv1"), login(app, "bcv")
    page = ctv.get("/cases/1").text
    assert "Soạn phản hồi" not in page and "response-save" not in page  # no button it may not press
    r = post(ctv, "/responses/1/draft", kind="press_statement", title="T", body="B")
    assert r.status_code == 403 and "Vai trò cộng tác viên dư luận không được soạn phản hồi" in r.text
    post(bcv, "/responses/1/draft", kind="press_statement", title="<script>alert(1)</script>",
         body='<img src=x onerror="alert(2)">')  # fmt: skip
    page = bcv.get("/cases/1").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    download = ctv.get("/responses/1/van-ban.docx")
    assert download.status_code == 403 and "cộng tác viên" in download.text
    assert bcv.post("/responses/1/submit").status_code == 400  # no CSRF token
    assert post(bcv, "/responses/1/shout").status_code == 404
    assert post(bcv, "/responses/99/draft", kind="press_statement", title="T", body="B").status_code == 404


# (who, step, form): a role that may never take this step on a response sent for approval
FORBIDDEN_STEPS = [
    ("ctv1", "draft", {"kind": "press_statement", "title": "Bản khác", "body": "Nội dung khác."}),
    ("ld", "draft", {"kind": "press_statement", "title": "Bản khác", "body": "Nội dung khác."}),
    ("ctv1", "submit", {}),
    ("bcv", "approve", {"response_version": "1"}),
    ("ctv1", "approve", {"response_version": "1"}),
    ("bcv", "return", {"note": "Tự trả lại.", "response_version": "1"}),
    ("ld", "publish", {"channel": "Báo Kon Tum", "url": "https://baokontum.vn/a"}),
    ("ctv1", "comment", {"note": "Góp ý của cộng tác viên."}),
]


@pytest.mark.parametrize(("who", "step", "form"), FORBIDDEN_STEPS)
def test_a_forbidden_response_step_is_audited_answered_403_and_changes_nothing(app, db, who, step, form):
    from monitor.store.audit import recent
    from monitor.store.cases import case_events, get_case
    from monitor.store.responses import comments, get_response, versions

    bcv = login(app, "bcv")
    post(
        bcv, "/responses/1/draft", kind="press_statement", title="Thông tin về cấp căn cước", body="Nội dung."
    )
    post(bcv, "/responses/1/submit")

    def snapshot():
        with db.read() as s:
            case, resp = get_case(s, 1), get_response(s, 1)
            return (case.state, case.version, len(case_events(s, 1)), resp, versions(s, resp.id),
                    comments(s, resp.id))  # fmt: skip

    before = snapshot()
    user = login(app, who)
    r = post(user, f"/responses/1/{step}", **form)
    assert r.status_code == 403 and "Không có quyền" in r.text and "không được" in r.text
    assert snapshot() == before  # nothing changed
    with db.read() as s:
        line = recent(s, 1)[0]
    expected = f"response_{step}" if step == "comment" else f"case_{step}"
    assert (line.actor, line.action, line.object, line.outcome, line.client_addr) == (
        who, expected, "case 1", "refused", "127.0.0.1"
    )  # fmt: skip
    assert line.detail and line.detail in r.text  # the sentence the user read is the one audited


def test_dashboard_renders_inline_svg_charts_with_tables(app):
    client = login(app, "ld")
    r = client.get("/dashboard")
    assert r.status_code == 200 and "Tổng quan dư luận" in r.text
    assert "style-src 'self'" in r.headers["Content-Security-Policy"]
    svgs = re.findall(r"<svg.*?</svg>", r.text, flags=re.S)
    assert len(svgs) == 5
    for svg in svgs:
        assert 'role="img"' in svg and "style=" not in svg and "<script" not in svg and "<style" not in svg
    ids = re.findall(r' id="([^"]+)"', "".join(svgs))
    assert len(ids) == len(set(ids))  # five charts inline, no id shared
    for caption in ("Chủ đề (bài viết nhắc đến đơn vị, địa bàn)", "Báo đăng nhiều nhất", "Vụ việc đang mở"):
        assert caption in r.text
    assert "Báo Kon Tum" in r.text and 'id="overdue-count">0<' in r.text
    assert "Tổng quan" in login(app, "ctv1").get("/").text  # in everyone's navigation


def test_dashboard_counts_are_shared_for_the_settings_max_age(db):
    """Computed once per web process within `dashboard_seconds` (the page says when); then again."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from monitor.store.queue_tables import CaseRow

    seed_accounts(db)
    case_needing_response(db)
    cached, fresh, short = make_app(db), make_app(db, dashboard_seconds=0), make_app(db, dashboard_seconds=1)
    viewer = login(short, "ld")
    assert 'id="overdue-count">0<' in login(cached, "ld").get("/dashboard").text
    assert 'id="overdue-count">0<' in viewer.get("/dashboard").text
    with db.write() as s:
        s.execute(update(CaseRow).values(deadline_at=datetime.now(UTC) - timedelta(hours=1)))
    assert 'id="overdue-count">0<' in login(cached, "ld").get("/dashboard").text  # the same minute's counts
    assert 'id="overdue-count">1<' in login(fresh, "ld").get("/dashboard").text
    time.sleep(1.1)
    # older than allowed: shown at once all the same, while a background thread computes the next
    assert 'id="overdue-count">0<' in viewer.get("/dashboard").text
    deadline = time.monotonic() + 20
    while 'id="overdue-count">1<' not in viewer.get("/dashboard").text:
        assert time.monotonic() < deadline, "the dashboard was never refreshed"
        time.sleep(0.2)
