"""Press responses as pure functions, table-driven: drafts, publication records, who may act, the
pre-filled correction request and the administrative layout of the signed document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import LetterSettings
from monitor.errors import TransitionError
from monitor.queue.letters import build_letter, date_line, place_of
from monitor.queue.responses import (
    ArticleFacts,
    CaseFacts,
    allowed_actions,
    check_submit,
    clean_draft,
    clean_publication,
    correction_prefill,
    parse_kind,
    status_text,
)
from monitor.store.responses import ResponseInfo
from monitor.vocab import Action, ResponseKind, Role, State, label

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 01/12/2026 in Vietnam

K = ResponseKind


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("press_statement", K.PRESS_STATEMENT),
        ("thông cáo báo chí", K.PRESS_STATEMENT),
        ("thong cao", K.PRESS_STATEMENT),
        ("đề nghị cải chính gửi cơ quan báo chí", K.CORRECTION_REQUEST),
        ("Cải chính", K.CORRECTION_REQUEST),
        ("correction_request", K.CORRECTION_REQUEST),
        ("bài đăng", K.UNIT_POST),
        ("bài đăng trên trang của đơn vị", K.UNIT_POST),
    ],
)
def test_kind_words(word, kind):
    assert parse_kind(word) is kind


def test_kind_labels_are_vietnamese():
    assert [label(k) for k in K] == [
        "thông cáo báo chí",
        "đề nghị cải chính gửi cơ quan báo chí",
        "bài đăng trên trang của đơn vị",
    ]
    assert label(State.RESPONSE_RETURNED) == "phản hồi bị trả lại"
    assert label(Action.RETURN) == "trả lại phản hồi để sửa"


def test_a_draft_is_cleaned():
    d = clean_draft(
        "thông cáo",
        "  Thông cáo   về việc\ncấp căn cước ",
        "\r\nĐoạn một.\r\n\r\n\r\n  Đoạn hai.  \n",
        None,
        "  ",
    )
    assert d == clean_draft(K.PRESS_STATEMENT, "Thông cáo về việc cấp căn cước", "Đoạn một.\n\nĐoạn hai.")
    assert d.outlet_name is None


@pytest.mark.parametrize(
    ("kind", "title", "body", "outlet", "words"),
    [
        ("thư tay", "T", "B", None, "Loại phản hồi “thư tay” không có"),
        ("thong cao", "   ", "B", None, "Tiêu đề"),
        ("thong cao", "T", "\n\n ", None, "Nội dung"),
        ("thong cao", "T" * 301, "B", None, "300 ký tự"),
        ("thong cao", "T", "B" * 20_001, None, "20000 ký tự"),
        ("cai chinh", "T", "B", None, "cơ quan báo chí nhận"),
    ],
)
def test_bad_drafts_are_refused(kind, title, body, outlet, words):
    with pytest.raises(TransitionError) as err:
        clean_draft(kind, title, body, None, outlet)
    assert words in err.value.message


@pytest.mark.parametrize(
    ("channel", "url", "at", "words"),
    [
        ("", "https://baokontum.vn/a", NOW, "kênh"),
        ("Báo Kon Tum", "ftp://baokontum.vn/a", NOW, "http"),
        ("Báo Kon Tum", "https://baokontum.vn/a b", NOW, "http"),
        ("Báo Kon Tum", "https://baokontum.vn/a", NOW + timedelta(hours=1), "tương lai"),
    ],
)
def test_bad_publications_are_refused(channel, url, at, words):
    with pytest.raises(TransitionError, match=words):
        clean_publication(channel, url, at, NOW)


def test_a_publication_a_few_minutes_ahead_is_a_clock_difference():
    pub = clean_publication(" Cổng TTĐT  Công an tỉnh ", "https://a.vn/x", NOW + timedelta(minutes=5), NOW)
    assert pub.channel == "Cổng TTĐT Công an tỉnh"


S, A, R = State, Action, Role

ALLOWED = [
    (S.RESPONSE_NEEDED, R.REPORTER, False, (A.DRAFT,)),
    (S.RESPONSE_NEEDED, R.REPORTER, True, (A.DRAFT, A.SUBMIT)),
    (S.RESPONSE_NEEDED, R.LEADER, True, ()),
    (S.RESPONSE_DRAFTED, R.LEADER, True, (A.APPROVE, A.RETURN)),
    (S.RESPONSE_DRAFTED, R.REPORTER, True, ()),
    (S.RESPONSE_RETURNED, R.REPORTER, True, (A.DRAFT, A.SUBMIT)),
    (S.RESPONSE_APPROVED, R.REPORTER, True, (A.PUBLISH,)),
    (S.RESPONSE_APPROVED, R.LEADER, True, (A.RETURN,)),
    (S.RESPONSE_APPROVED, R.ADMIN, True, (A.RETURN, A.PUBLISH)),
    (S.VERIFIED_FALSE, R.REPORTER, False, (A.DRAFT,)),
    (S.IN_REVIEW, R.REPORTER, False, ()),
    (S.RESPONSE_PUBLISHED, R.ADMIN, True, ()),
    (S.RESPONSE_NEEDED, R.COLLABORATOR, True, ()),
]


@pytest.mark.parametrize(("state", "role", "has_response", "actions"), ALLOWED)
def test_allowed_actions(state, role, has_response, actions):
    assert allowed_actions(state, role, has_response, NOW) == actions


def test_a_returned_version_is_revised_before_it_goes_back():
    assert allowed_actions(S.RESPONSE_RETURNED, R.REPORTER, True, NOW, revised=False) == (A.DRAFT,)
    with pytest.raises(TransitionError, match="Bản 2 đã bị lãnh đạo trả lại"):
        check_submit(True, 2, 2)
    check_submit(True, 3, 2)  # a new version since the return
    with pytest.raises(TransitionError, match="Chưa có bản thảo"):
        check_submit(False)


def _info(**kw):
    base = dict(
        id=1, case_id=1, kind="press_statement", title="T", body="B", outlet_key=None, outlet_name=None,
        version=2, submitted_version=None, approved_version=None, approved_by=None, approved_at=None,
        channel=None, url=None, published_at=None, published_by=None, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    return ResponseInfo(**{**base, **kw})


@pytest.mark.parametrize(
    ("info", "state", "text"),
    [
        (_info(), "response_needed", "bản 2 chưa gửi duyệt"),
        (_info(submitted_version=2), "response_drafted", "bản 2 đang chờ lãnh đạo duyệt"),
        (_info(), "response_returned", "lãnh đạo đã trả lại để sửa; bản 2 chưa gửi duyệt lại"),
        (
            _info(approved_version=2, approved_by="ld", approved_at=NOW),
            "response_approved",
            "bản 2 đã được ld duyệt lúc 09:00 01/12/2026",
        ),
        (
            _info(approved_version=2, channel="Báo Kon Tum", published_at=NOW),
            "response_published",
            "đã đăng trên Báo Kon Tum lúc 09:00 01/12/2026",
        ),
    ],
)
def test_status_text(info, state, text):
    assert status_text(info, state) == text


ARTICLE = ArticleFacts(
    "baokontum",
    "Báo Kon Tum",
    "Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước",
    "https://baokontum.vn/xep-hang-can-cuoc.html",
    datetime(2026, 11, 26, 20, 0, tzinfo=UTC),  # 03:00 27/11 in Vietnam
    "…phải xếp hàng từ 4 giờ sáng tại điểm cấp căn cước của «Công an tỉnh Kon Tum»…",
)
COPY = ArticleFacts(
    "tuoitre", "Tuổi Trẻ", "Xếp hàng làm căn cước ở Kon Tum", "https://tuoitre.vn/a.htm", ARTICLE.published_at
)


def test_correction_request_is_prefilled_from_the_case():
    facts = CaseFacts(
        7, ARTICLE.title, "verified_false", "Điểm cấp mở cửa lúc 7 giờ.", ("https://a.vn/e",), (ARTICLE, COPY)
    )
    d = correction_prefill(facts, "Công an tỉnh Kon Tum")
    assert d.kind is K.CORRECTION_REQUEST and (d.outlet_key, d.outlet_name) == ("baokontum", "Báo Kon Tum")
    assert d.body.split("\n\n") == [
        "Ngày 27/11/2026, Báo Kon Tum đăng bài viết “Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước” "
        "tại địa chỉ https://baokontum.vn/xep-hang-can-cuoc.html.",
        "Bài viết có nội dung: “phải xếp hàng từ 4 giờ sáng tại điểm cấp căn cước của Công an tỉnh Kon Tum”.",
        "Qua xác minh, Công an tỉnh Kon Tum kết luận nội dung trên là sai sự thật. Điểm cấp mở cửa lúc 7 giờ.",
        "Căn cứ xác minh:\n- https://a.vn/e",
        "Căn cứ Điều 42 Luật Báo chí năm 2016 về cải chính trên báo chí, Công an tỉnh Kon Tum đề nghị Báo Kon "
        "Tum đăng, phát lời cải chính, xin lỗi, gỡ bỏ thông tin sai sự thật và thông báo kết quả cho Công an "
        "tỉnh Kon Tum.",
    ]
    to_copy = correction_prefill(facts, "Công an tỉnh Kon Tum", "tuoitre")  # the outlet's own article
    assert to_copy.outlet_name == "Tuổi Trẻ" and "“Xếp hàng làm căn cước ở Kon Tum”" in to_copy.body
    assert "Bài viết có nội dung: “Xếp hàng làm căn cước ở Kon Tum”" in to_copy.body  # no snippet: the title
    with pytest.raises(TransitionError, match="#7"):
        correction_prefill(CaseFacts(7, "x", None, "", (), ()), "Công an tỉnh Kon Tum")


@pytest.mark.parametrize(
    ("when", "line"),
    [
        (datetime(2026, 12, 1, 2, 0, tzinfo=UTC), "Kon Tum, ngày 01 tháng 12 năm 2026"),
        (datetime(2026, 1, 14, 2, 0, tzinfo=UTC), "Kon Tum, ngày 14 tháng 01 năm 2026"),
        (datetime(2026, 2, 5, 2, 0, tzinfo=UTC), "Kon Tum, ngày 05 tháng 02 năm 2026"),
        (datetime(2026, 3, 5, 2, 0, tzinfo=UTC), "Kon Tum, ngày 05 tháng 3 năm 2026"),
        (datetime(2026, 8, 31, 18, 0, tzinfo=UTC), "Kon Tum, ngày 01 tháng 9 năm 2026"),  # 01:00 in Vietnam
    ],
)
def test_date_line(when, line):
    assert date_line("Kon Tum", when) == line


@pytest.mark.parametrize(
    ("issuer", "place", "expected"),
    [
        ("Công an tỉnh Kon Tum", "", "Kon Tum"),
        ("Công an thành phố Đà Nẵng", "", "Đà Nẵng"),
        ("CÔNG AN TỈNH Quảng Ngãi", "", "Quảng Ngãi"),
        ("Công an tỉnh Kon Tum", "Quảng Ngãi", "Quảng Ngãi"),
        ("Phòng Tham mưu", "", "Phòng Tham mưu"),
    ],
)
def test_place_of(issuer, place, expected):
    assert place_of(LetterSettings(place=place), issuer) == expected


def test_a_press_statement_has_a_heading_and_no_addressee():
    draft = clean_draft("thong cao", "Về việc cấp căn cước", "Đoạn một.\n\nĐoạn hai.")
    letter = build_letter(draft, LetterSettings(), ("Công an tỉnh Kon Tum",), NOW, approved=True)
    assert letter.issuer_lines == ("CÔNG AN TỈNH KON TUM",)
    assert (letter.heading, letter.title, letter.addressee, letter.subject) == (
        "THÔNG CÁO BÁO CHÍ",
        "Về việc cấp căn cước",
        None,
        None,
    )
    assert letter.paragraphs == ("Đoạn một.", "Đoạn hai.")
    assert letter.recipients == ("- Lưu: VT.",) and letter.signer_title == ("GIÁM ĐỐC",)
    assert letter.place_date == "Kon Tum, ngày 01 tháng 12 năm 2026" and letter.draft_mark is None
    assert letter.number == "Số:        /"


def test_a_correction_letter_is_addressed_to_the_outlet():
    draft = clean_draft("cai chinh", "Đề nghị cải chính", "Nội dung.", "baokontum", "Báo Kon Tum")
    settings = LetterSettings(
        issuer="Công an tỉnh Quảng Ngãi",
        department="Phòng Tham mưu",
        symbol="CAT-PTM",
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn Bình",
    )
    letter = build_letter(draft, settings, ("Công an tỉnh Kon Tum",), NOW, "toasoan@baokontum.vn")
    assert letter.issuer_lines == ("CÔNG AN TỈNH QUẢNG NGÃI", "PHÒNG THAM MƯU")
    assert letter.number == "Số:        /CAT-PTM" and letter.subject.startswith("V/v đề nghị cải chính")
    assert letter.place_date.startswith("Quảng Ngãi, ngày 01 tháng 12")
    assert letter.addressee == "Kính gửi: Ban Biên tập Báo Kon Tum." and letter.heading is None
    assert letter.recipients == ("- Như trên (toasoan@baokontum.vn);", "- Lưu: VT, Phòng Tham mưu.")
    assert letter.signer_title == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") and letter.draft_mark == "DỰ THẢO"


def test_letters_table_and_outlet_contact_in_sources_toml():
    from pathlib import Path

    from monitor.config import parse_config
    from monitor.errors import ConfigError

    text = '[letters]\nsymbol = "CAT-PTM"\n\n[[source]]\nkey = "a"\nname = "Báo A"\nurl = "https://a.vn/rss"\ncontact = "toasoan@a.vn"\n'
    config = parse_config(text, Path("sources.toml"))
    assert config.letters.symbol == "CAT-PTM" and config.sources[0].contact == "toasoan@a.vn"
    with pytest.raises(ConfigError, match=r"dòng 2.*signer"):
        parse_config('[letters]\nsigner = "Giám đốc"\n', Path("sources.toml"))
