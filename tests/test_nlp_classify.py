"""Topic and tone of the shipped models on real-style Vietnamese press items (written for these tests).

The models are loaded once per module. Items here are neither in the seed set nor in the dev set.
"""

from __future__ import annotations

import json
import re

import pytest

from monitor.nlp.analysis import MODELS_DIR, TONES, TOPICS, Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


CASES = [
    (
        "Bắt quả tang đối tượng tàng trữ 50 gói ma túy đá tại nhà trọ",
        "Công an phường kiểm tra hành chính, phát hiện đối tượng cất giấu ma túy trong tủ quần áo.",
        "ma_tuy",
        "tich_cuc",
    ),
    (
        "Xe tải đâm xe máy trên quốc lộ 14, một người chết",
        "Vụ tai nạn giao thông xảy ra lúc 6 giờ sáng, tài xế xe tải không làm chủ tốc độ.",
        "giao_thong",
        None,
    ),
    (
        "Giả danh nhân viên ngân hàng, lừa đảo chiếm đoạt 700 triệu đồng",
        "Kẻ gian gọi điện thông báo khoản vay quá hạn, gửi đường link yêu cầu nạn nhân nhập mã OTP.",
        "lua_dao",
        None,
    ),
    (
        "Cháy xưởng gỗ trong đêm, lực lượng PCCC dập tắt sau 3 giờ",
        "Đám cháy bùng phát lúc 23 giờ, cảnh sát phòng cháy chữa cháy điều 5 xe đến hiện trường.",
        "chay_no_cuu_nan",
        None,
    ),
    (
        "Người dân chờ cả ngày vẫn chưa được cấp căn cước",
        "Tại điểm cấp căn cước của công an huyện, hàng trăm người dân xếp hàng từ sáng sớm, nhiều người phải về không.",
        "dich_vu_cong",
        "tieu_cuc",
    ),
    (
        "Chiến sĩ công an nhặt được túi tiền 30 triệu đồng, trả lại cho người đánh rơi",
        "Nhận lại tài sản, người phụ nữ xúc động cảm ơn người chiến sĩ công an.",
        "xay_dung_luc_luong",
        "tich_cuc",
    ),
    (
        "Triệt phá băng nhóm trộm cắp xe máy liên tỉnh",
        "Công an tỉnh đã bắt giữ 7 đối tượng, thu hồi 20 xe máy trao trả cho người bị hại.",
        "an_ninh_trat_tu",
        "tich_cuc",
    ),
    (
        "Đội tuyển futsal Việt Nam giành vé dự World Cup",
        "Các cầu thủ đã thi đấu xuất sắc trong trận play-off lượt về.",
        "khac",
        None,
    ),
    (
        "Người dân tố cáo cán bộ công an xã đánh người",
        "Gia đình nạn nhân cho biết anh bị đánh khi được mời lên trụ sở làm việc.",
        None,
        "tieu_cuc",
    ),
    (
        "Trộm cắp hoành hành, người dân mất ăn mất ngủ",
        "Nhiều nhà dân bị kẻ gian đột nhập lấy tài sản, đến nay vẫn chưa tìm ra thủ phạm.",
        "an_ninh_trat_tu",
        "tieu_cuc",
    ),
    (
        "Tòa tuyên phạt 15 năm tù kẻ giết người vì mâu thuẫn",
        "Hội đồng xét xử tuyên bị cáo phạm tội giết người sau khi dùng dao đâm chết hàng xóm.",
        "an_ninh_trat_tu",
        "trung_tinh",
    ),
]


@pytest.mark.parametrize(("title", "text", "topic", "tone"), CASES)
def test_topic_and_tone(
    analyzer: Analyzer, title: str, text: str, topic: str | None, tone: str | None
) -> None:
    a = analyzer.analyse(title, text)
    assert a.skipped is None and a.language == "vi"
    assert a.topic is not None and a.tone is not None
    if topic:
        assert a.topic.label == topic, a.topic
    if tone:
        assert a.tone.label == tone, a.tone


def test_scores_labels_and_version(analyzer: Analyzer) -> None:
    a = analyzer.analyse(*CASES[0][:2])
    assert a.topic and a.tone
    assert a.topic.label in TOPICS and a.tone.label in TONES
    assert 0.0 <= a.topic.score <= 1.0 and 0.0 <= a.tone.score <= 1.0
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert a.model_version == manifest["version"] == analyzer.version


def test_reason_quotes_words_of_the_article(analyzer: Analyzer) -> None:
    title, text = CASES[0][:2]
    a = analyzer.analyse(title, text)
    assert a.topic and a.topic.reason.startswith("Từ nổi bật: ")
    terms = re.findall(r'"([^"]+)"', a.topic.reason)
    assert terms and all(t in (title + " " + text).lower() for t in terms)
    assert "ma túy" in terms


def test_rule_reason_names_the_words(analyzer: Analyzer) -> None:
    """The reason quotes the words that decided: here the police's role (roles.py) in the headline."""
    a = analyzer.analyse(*CASES[8][:2])
    assert a.tone and a.tone.label == "tieu_cuc"
    assert a.tone.reason == 'Công an/nơi tạm giữ là chủ thể sai phạm: "cán bộ công an xã đánh"'
    b = analyzer.analyse("Người dân tố cáo công an xã", "Nhiều người dân gửi đơn phản ánh.")
    assert b.tone and b.tone.reason == 'Quy tắc từ vựng: "tố cáo" + "công an"'


def test_batch_matches_single_and_cheap_reasons(analyzer: Analyzer) -> None:
    docs = [(t, x) for t, x, _, _ in CASES]
    batch = analyzer.analyse_many(docs)
    single = [analyzer.analyse(t, x) for t, x in docs]
    assert [(b.topic.label, b.tone.label) for b in batch if b.topic and b.tone] == [
        (s.topic.label, s.tone.label) for s in single if s.topic and s.tone
    ]
    # Without explain, reasons come from the lexicon (no occlusion cost) but are never empty.
    assert all(b.topic and b.topic.reason and not b.topic.reason.startswith("Từ nổi bật") for b in batch)


def test_explain_mask(analyzer: Analyzer) -> None:
    docs = [(t, x) for t, x, _, _ in CASES[:3]]
    out = analyzer.analyse_many(docs, explain=[False, True, False])
    assert out[1].topic and out[1].topic.reason.startswith("Từ nổi bật")
    assert out[0].topic and not out[0].topic.reason.startswith("Từ nổi bật")


def test_import_loads_nothing() -> None:
    """Importing the NLP modules loads no model and no underthesea pipeline (no work at import time)."""
    import subprocess
    import sys

    code = (
        "import sys, monitor.nlp.analysis, monitor.nlp.flags, monitor.nlp.lang, monitor.nlp.train; "
        "print([m for m in ('underthesea', 'underthesea_core') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


UNRELATED = [
    "Tỷ phú Jack Ma xuất hiện trở lại sau thời gian vắng bóng",
    "Bán nhà mặt tiền quận 1, diện tích 50 m2, giá thương lượng",
    "Tuyển kế toán kho làm việc tại Bình Tân",
    "Máy giặt cửa trước 10 kg giảm giá 30%",
]


@pytest.mark.parametrize("title", UNRELATED)
def test_unrelated_headlines_are_khac(analyzer: Analyzer, title: str) -> None:
    """Short headlines with no police vocabulary must not be pulled into a police topic."""
    a = analyzer.analyse(title, "")
    assert a.topic and a.topic.label == "khac", a.topic


class _Fixed:
    """A stand-in model that always answers the same label and score."""

    def __init__(self, label: str, score: float) -> None:
        self.answer = (label, score)

    def predict_many(self, texts: list[str]) -> list[tuple[str, float]]:
        return [self.answer] * len(texts)

    def explain(self, text: str, label: str, k: int = 3) -> list[str]:
        return []


def test_unsure_neutral_yields_to_critical_words(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer, "tone_model", _Fixed("trung_tinh", 0.55))
    a = analyzer.analyse(
        "Bãi rác gây ô nhiễm kéo dài, người dân bức xúc",
        "Nhiều lần phản ánh nhưng đến nay vẫn chưa được xử lý.",
    )
    assert a.tone and a.tone.label == "tieu_cuc"
    assert a.tone.reason.startswith('Từ ngữ tiêu cực: "bức xúc"') and "0,55" in a.tone.reason
    # A police action in the headline keeps the article out of this rule: the arrest is the story.
    b = analyzer.analyse("Bắt giữ nhóm côn đồ khiến người dân bức xúc", "Người dân phản ánh nhiều lần.")
    assert b.tone and b.tone.label == "tich_cuc" and b.tone.reason.startswith("Lực lượng chức năng")


def test_cue_guard_sends_unsupported_police_topic_to_khac(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyzer, "topic_model", _Fixed("ma_tuy", 0.45))
    a = analyzer.analyse("Đám ma ở quê ngày càng rườm rà", "Nhiều gia đình tổ chức linh đình.")
    assert a.topic and a.topic.label == "khac" and a.topic.reason.startswith("Độ tin cậy thấp (0,45)")
    b = analyzer.analyse("Bắt quả tang nhóm sử dụng ma túy", "Thu giữ 10 gói ma túy đá.")
    assert b.topic and b.topic.label == "ma_tuy"  # the cue "ma túy" supports the unsure topic


def test_a_mentioned_article_is_analysed_whatever_its_language(analyzer: Analyzer) -> None:
    """Issue 8: an English article about the unit is analysed (language recorded), not dropped."""
    doc = ("Kon Tum police officer accused of beating a detainee", "Residents said the officer hit him.")
    (dropped,) = analyzer.analyse_many([doc])
    assert dropped.skipped and dropped.language == "en" and dropped.tone is None
    (kept,) = analyzer.analyse_many([doc], always=True)
    assert kept.skipped is None and kept.language == "en" and kept.topic and kept.tone
    # the Vietnamese models cannot read it: no tone is made up (the flag rule sends it to a person)
    assert kept.tone.label == "trung_tinh" and kept.tone.reason.startswith("Chưa đánh giá sắc thái")


UNACCENTED = [
    ("Công an tỉnh Kon Tum bắt 2 đối tượng vận chuyển 3 kg cần sa", "Các đối tượng đã bị tạm giữ."),
    ("Xe tải đâm xe máy trên quốc lộ 14, một người chết", "Tài xế xe tải không làm chủ tốc độ."),
    ("Cháy xưởng gỗ trong đêm, cảnh sát PCCC dập tắt sau 3 giờ", "Đám cháy bùng phát lúc 23 giờ."),
    ("Người dân bức xúc vì chờ cả ngày không được làm căn cước", "Nhiều người phải về không."),
]


@pytest.mark.parametrize(("title", "text"), UNACCENTED)
def test_unaccented_text_reads_like_its_accented_twin(analyzer: Analyzer, title: str, text: str) -> None:
    """Issue 11: text typed without diacritics is Vietnamese and gets the topic and tone of its twin."""
    from monitor.nlp.normalize import fold_ascii

    accented = analyzer.analyse(title, text)
    plain = analyzer.analyse(fold_ascii(title), fold_ascii(text))
    assert plain.language == "vi" and plain.skipped is None and plain.topic and plain.tone
    assert accented.topic and accented.tone
    assert (plain.topic.label, plain.tone.label) == (accented.topic.label, accented.tone.label)


def test_rules_read_unaccented_text(analyzer: Analyzer) -> None:
    """The criticism rule fires on the same words written without diacritics."""
    a = analyzer.analyse("Nguoi dan to cao cong an xa danh nguoi", "Nhieu nguoi dan buc xuc ve vu viec.")
    assert a.tone and a.tone.label == "tieu_cuc"


ROLE_CASES = [
    # issue 11's false alarms: the police are the victims of the attack
    (
        "Côn đồ hành hung công an xã",
        "Hai đối tượng say rượu đánh cán bộ công an xã khi bị nhắc nhở.",
        "trung_tinh",
    ),
    (
        "Tạm giữ 2 cha con hành hung cán bộ công an",
        "Hai cha con dùng gậy đánh chiến sĩ công an.",
        "trung_tinh",
    ),
    # issue 11's missed criticism, in flat factual words
    ("Hai bị can trốn khỏi nhà tạm giữ công an huyện", "Công an đang truy tìm hai đối tượng.", "tieu_cuc"),
    ("Một cán bộ bị bắn chết trong trại tạm giam", "Vụ việc xảy ra chiều qua.", "tieu_cuc"),
    ("Người dân tố trưởng công an xã đánh họ", "Người dân xã Ya Chiêm, TP Kon Tum cho biết.", "tieu_cuc"),
]


@pytest.mark.parametrize(("title", "text", "tone"), ROLE_CASES)
def test_tone_follows_the_police_role(analyzer: Analyzer, title: str, text: str, tone: str) -> None:
    a = analyzer.analyse(title, text)
    assert a.tone and a.tone.label == tone


RULE_CASES = [
    # the officer is the one accused: criticism of the unit
    ("Người dân tố cáo trưởng công an xã", "Nhiều hộ gửi đơn lên huyện.", "tieu_cuc"),
    ("Cán bộ địa chính xã bị tố cáo nhận tiền", "Người dân đã gửi đơn.", "tieu_cuc"),
    ("Nguoi dan to cao truong cong an xa", "Nhieu ho gui don len huyen.", "tieu_cuc"),
    # a victim reports a crime to the police: no criticism of anyone in office
    ("Mua phải ngọc giả, mất 200 triệu đồng", "Ông Bảy đã đến công an phường tố cáo kẻ lừa đảo.", None),
    ("Mua phai ngoc gia, mat 200 trieu dong", "Ong Bay da den cong an phuong to cao ke lua dao.", None),
    # a rule in the headline, not a case
    ("Bộ Công an ra quy chế xử lý cán bộ vi phạm kỷ luật", "Cán bộ sẽ bị xem xét kỷ luật khi vi phạm.", None),
]


@pytest.mark.parametrize(("title", "lead", "tone"), RULE_CASES)
def test_criticism_rule_needs_an_accused_officer(title: str, lead: str, tone: str | None) -> None:
    from monitor.nlp import lexicon

    ruled = lexicon.rule_tone(lexicon.norm(title + " " + lead), lexicon.norm(title))
    assert (ruled[0] if ruled else None) == tone


def test_disaster_words_alone_do_not_make_a_flood_critical() -> None:
    """'Mất tích' after a flood blames no one; the same words in a crime story still count."""
    title, lead = "Lũ quét làm 5 người chết và mất tích", "Nước lũ cuốn trôi nhiều nhà ở huyện vùng cao."
    assert Analyzer._critical_cues(title, lead, "chay_no_cuu_nan") == []
    assert "mất tích" in Analyzer._critical_cues(title, lead, "an_ninh_trat_tu")
