"""Mention matching on real Vietnamese press sentences (the shipped default targets)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from monitor.nlp.match import Matcher, Mention, build_matcher
from monitor.nlp.targets import default_targets

U, P = "unit", "province"
DEV = Path(__file__).parent / "data" / "mentions_dev.jsonl"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return build_matcher(default_targets())


def found(matcher: Matcher, text: str) -> set[tuple[str, str, str]]:
    return {(m.kind, m.alias, m.level) for m in matcher.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # levels
        (
            "Công an tỉnh Kon Tum bắt giữ 3 đối tượng.",
            {(U, "Công an tỉnh Kon Tum", "exact"), (P, "Kon Tum", "exact")},
        ),
        ("Mưa lớn ở huyện Đắk Tô.", {(P, "Đăk Tô", "exact")}),
        ("Mưa lớn ở huyện Đăk Tô.", {(P, "Đăk Tô", "exact")}),
        ("Giá cà phê ở Đằk Hà tăng.", {(P, "Đăk Hà", "tone")}),  # wrong tone mark, same letters
        (
            "Người dân Xã Hoà Bình, TP Kon Tum thu hoạch cà phê.",
            {(P, "Hòa Bình", "exact"), (P, "Kon Tum", "exact")},
        ),
        (
            "cong an tinh kon tum bat giu 2 doi tuong",
            {(U, "Công an tỉnh Kon Tum", "ascii"), (P, "Kon Tum", "exact")},
        ),
        ("chay rung o huyen Sa Thay, mong moi nguoi chia se", {(P, "Sa Thầy", "ascii")}),
        # accent-stripped words in a text with diacritics never match
        ("Ông cho biết việc tự mở rộng nhà xưởng là sai phép.", set()),
        ("Cán bộ xã tự mở rộng diện tích đất ở.", set()),
        # word boundaries
        ("Kon Tumxyz là một tài khoản giả mạo.", set()),
        ("Trang kontumabc.vn chưa được kiểm chứng.", set()),
        # spellings
        ("Người dân huyện Ia H’Drai trồng cao su.", {(P, "Ia H'Drai", "exact")}),
        ("Huyện Ia HDrai giáp Campuchia.", {(P, "Ia H'Drai", "exact")}),
        ("Huyện Dak Glei là vùng trồng sâm.", {(P, "Đắk Glei", "exact")}),
        ("TP. Kon Tum tổ chức lễ hội.", {(P, "Kon Tum", "exact")}),
        ("Ông sinh ra ở Kontum.", {(P, "Kon Tum", "exact")}),
        (
            "CAH Đăk Glei phối hợp truy bắt lâm tặc.",
            {(U, "Công an huyện Đắk Glei", "exact"), (P, "Đắk Glei", "exact")},
        ),
        (
            "PC08 Công an tỉnh Kon Tum lập biên bản.",
            {(U, "PC08 Công an tỉnh Kon Tum", "exact"), (P, "Kon Tum", "exact")},
        ),
        # the unit inside a list of provinces; other provinces' police never
        (
            "Công an các tỉnh Gia Lai, Kon Tum và Đắk Lắk ký quy chế phối hợp.",
            {(U, "Công an tỉnh Kon Tum", "exact"), (P, "Kon Tum", "exact")},
        ),
        ("Công an tỉnh Gia Lai bắt đối tượng bỏ trốn sang tỉnh Kon Tum.", {(P, "Kon Tum", "exact")}),
        ("Công an tỉnh Gia Lai và Công an tỉnh Đắk Lắk diễn tập.", set()),
        # common words and heroes' names
        ("Đội tuyển giành thắng lợi quyết định.", set()),
        ("Ùn tắc trên đường Trường Chinh, quận Thanh Xuân.", set()),
        ("Phường Thống Nhất, TP Biên Hòa ra quân chỉnh trang đô thị.", set()),
        (
            "Phường Quyết Thắng, TP Kon Tum trao trả tài sản.",
            {(P, "Quyết Thắng", "exact"), (P, "Kon Tum", "exact")},
        ),
        ("Đặc sản cá Kon Tum được ưa chuộng.", {(P, "Kon Tum", "exact")}),  # "cá", not "CA"
        ("Xi măng đen được dùng để trát tường.", set()),
        ("Vợ chồng chị H. hiểu ra căn nhà đã bị bán.", set()),
        ("Tôi chỉ cần bà xã hiểu mình.", set()),
        ("Giải nhất: Lê Ngọc Linh, số 8 đường Quang Trung, TP.HCM.", set()),
        # landmarks after a geographic head noun (case-insensitive head, capitals only on the name proper)
        ("Tuần tra khu vực ngã ba Đông Dương.", {(P, "Ngã Ba Đông Dương", "exact")}),
        ("Nhà máy thủy điện Plei Krông xả lũ.", {(P, "Plei Krông", "exact")}),
        ("Ngã ba Huế ùn tắc; chiến tranh Đông Dương kết thúc.", set()),
        # …but a landmark on a provincial border (Ngọc Linh, Lò Xo, Ya Ly) still needs our province nearby
        ("Sâm Ngọc Linh giả bán tràn lan ở Đà Lạt.", set()),
        ("Xe rơi xuống vực trên đèo Lò Xo.", set()),
        ("Tai nạn trên đèo Lò Xo, huyện Đắk Glei.", {(P, "Lò Xo", "exact"), (P, "Đắk Glei", "exact")}),
        ("Sạt lở trên đèo Lò Xo, thuộc địa bàn huyện Phước Sơn, gần Kon Tum.", {(P, "Kon Tum", "exact")}),
        ("Hồ Ngọc Linh, sinh viên ở Kon Tum, đoạt giải.", {(P, "Kon Tum", "exact")}),  # "Hồ" is a family name
        ("Leo núi Ngọc Linh ở Kon Tum.", {(P, "Ngọc Linh", "exact"), (P, "Kon Tum", "exact")}),
        # post-merger names and the successor unit
        ("UBND phường Kon Tum, tỉnh Quảng Ngãi họp phiên đầu tiên.", {(P, "Kon Tum", "exact")}),
        ("Xã Măng Ri, tỉnh Quảng Ngãi được thành lập.", {(P, "Măng Ri", "exact")}),
        ("Công an tỉnh Quảng Ngãi bắt nhóm trộm cắp ở đảo Lý Sơn.", set()),
        (
            "Công an tỉnh Quảng Ngãi tuần tra tại xã Đăk Tô.",
            {(U, "Công an tỉnh Quảng Ngãi", "exact"), (P, "Đăk Tô", "exact")},
        ),
        (
            "Công an huyện Sa Thầy vẫn được nhắc trên báo.",
            {(U, "Công an huyện Sa Thầy", "exact"), (P, "Sa Thầy", "exact")},
        ),
    ],
)
def test_mentions(matcher: Matcher, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert found(matcher, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        unicodedata.normalize("NFD", "Hôm qua, Công an tỉnh Kon Tum xử phạt 10 cơ sở."),
        "Hôm qua, C&ocirc;ng an t&#7881;nh Kon&nbsp;Tum xử phạt 10 cơ sở.",
        "Hôm qua, Công an tỉnh\nKon Tum xử phạt 10 cơ sở.",
        "Hôm qua, <b>Công an tỉnh Kon\r\nTum</b> xử phạt 10 cơ sở.",
    ],
)
def test_offsets_and_snippet_point_into_the_original(matcher: Matcher, text: str) -> None:
    unit = next(m for m in matcher.find(text) if m.kind == U)
    span = text[unit.start : unit.end]
    assert unicodedata.normalize("NFC", span).startswith(("Công", "C&ocirc;ng"))
    assert span.endswith("Tum")
    assert "«" in unit.snippet and unicodedata.normalize("NFC", unit.snippet).endswith("xử phạt 10 cơ sở.")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "😀" * 50,
        "a\ud800b Kon Tum \udfff",
        "\x00\x07Kon\x1bTum",
        "<p><b></p>" * 100,
        "&#99999999; Kon Tum",
        "Kon Tum " * 150_000,
        "İ" * 1000 + " Kon Tum",
        "\u0301" * 100 + "Kon Tum",
        "Công an " * 10_000,
    ],
    ids=lambda t: f"{len(t)}-chars",
)
def test_find_never_raises(matcher: Matcher, text: str) -> None:
    for m in matcher.find(text):
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(text)


def test_dev_set_precision_and_recall(matcher: Matcher) -> None:
    """Regression guard on the hand-labelled dev set (bench/eval_mentions.py prints the full figures)."""
    tp = fp = fn = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        want = {(k, unicodedata.normalize("NFC", a)) for k, a in row["mentions"] if k == P}
        got = {(m.kind, m.alias) for m in matcher.find(row["text"]) if m.kind == P}
        want_keys = {a.lower().replace("đắk", "đăk") for _, a in want}
        got_keys = {a.lower().replace("đắk", "đăk") for _, a in got}
        tp += len(want_keys & got_keys)
        fp += len(got_keys - want_keys)
        fn += len(want_keys - got_keys)
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.93


def units(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.alias, m.level) for m in matcher.find(text) if m.kind == U]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Issue 11: generic subordinate police count when one of our places is in the same paragraph …
        (
            "Người dân tố bị đánh\n\nNgười dân xã Ya Chiêm, TP Kon Tum cho biết trưởng công an xã đã đánh họ.",
            [("trưởng công an xã", "exact")],
        ),
        (
            "Dân bức xúc vì dự án treo\n\nCơ quan công an tỉnh đang xác minh đơn của người dân huyện Đắk Hà.",
            [("Cơ quan công an tỉnh", "exact")],
        ),
        # … or in the title
        (
            "Tai nạn ở huyện Sa Thầy, Kon Tum\n\nCông an huyện đang điều tra nguyên nhân.",
            [("Công an huyện", "exact")],
        ),
        ("Nguoi dan xa Ya Chiem, TP Kon Tum to truong cong an xa danh ho", [("truong cong an xa", "ascii")]),
        # a commune of ours named like another province ("xã Hòa Bình") is not that province
        (
            "Mất trộm bò\n\nNgười dân xã Hòa Bình, TP Kon Tum trình báo, công an xã đã vào cuộc.",
            [("công an xã", "exact")],
        ),
        # traps: another province's commune police in the same paragraph
        (
            "Bắt đối tượng trộm bò\n\nĐối tượng bỏ trốn sang Kon Tum nhưng công an xã ở huyện Chư Păh, Gia Lai đã bắt.",
            [],
        ),
        # a Kon Tum person arrested elsewhere: the place is his home, not the scene
        (
            "Trộm bò bị bắt\n\nNguyễn Văn A (trú huyện Đắk Hà, Kon Tum) bị công an xã bắt khi đang trộm bò.",
            [],
        ),
        # generic police with no place of ours in the paragraph or the title
        ("Người dân tố bị đánh\n\nTrưởng công an xã đã đánh họ.\n\nTỉnh Kon Tum có 102 xã.", []),
        # a named unit that is not ours, and a neighbouring province's police
        ("Mưa lũ ở Kon Tum\n\nCông an xã Ia Pnôn đã hỗ trợ người dân ở Kon Tum.", []),
        ("Phối hợp ở Kon Tum\n\nTại Kon Tum, công an tỉnh bạn đã hỗ trợ truy bắt.", []),
        # the unit named already: the generic phrase adds nothing
        (
            "Công an tỉnh Kon Tum chỉ đạo\n\nCông an tỉnh Kon Tum yêu cầu công an xã tăng cường tuần tra.",
            [("Công an tỉnh Kon Tum", "exact"), ("Công an tỉnh Kon Tum", "exact")],
        ),
    ],
)
def test_generic_subordinate_police_in_context(
    matcher: Matcher, text: str, expected: list[tuple[str, str]]
) -> None:
    assert units(matcher, text) == expected
