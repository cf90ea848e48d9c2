"""Hand-written Vietnamese cue lexicons for topic and tone (weak labels, rules and readable reasons).

The cue lists encode the taxonomy and tone definitions of DESIGN.md. They serve three purposes:
weak-labelling VNTC/DANeS into our taxonomy (``tools/build_seed.py``), a few high-precision override
rules at prediction time (``rule_tone``), and the wording of reasons. Matching is on normalised text
(``norm``): NFC, lower case, single spaces, padded so that cues match whole syllables only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from monitor.nlp.normalize import fold_ascii

TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "ma_tuy": (
        "ma túy",
        "ma tuý",
        "heroin",
        "hêrôin",
        "thuốc lắc",
        "ketamin",
        "ketamine",
        "cần sa",
        "hồng phiến",
        "methamphetamine",
        "ma túy đá",
        "ma tuý đá",
        "cai nghiện",
        "chất gây nghiện",
        "bay lắc",
        "tàng trữ trái phép chất",
        "mua bán trái phép chất",
        "con nghiện",
        "nghiện hút",
        "ngáo đá",
        "thuốc phiện",
        "cây thuốc phiện",
        "chất ma",
        "sử dụng trái phép chất",
        "tổ chức sử dụng",
        "bánh heroin",
        "pc04",
    ),
    "giao_thong": (
        "tai nạn giao thông",
        "csgt",
        "cảnh sát giao thông",
        "va chạm",
        "xe tải",
        "xe khách",
        "nồng độ cồn",
        "vi phạm giao thông",
        "đua xe",
        "lật xe",
        "tông",
        "tông vào",
        "đâm vào",
        "quốc lộ",
        "giấy phép lái xe",
        "mũ bảo hiểm",
        "ùn tắc",
        "tắc đường",
        "lái xe",
        "tài xế",
        "xe container",
        "xe buýt",
        "bằng lái",
        "an toàn giao thông",
        "pc08",
        "phạt nguội",
        "xe ben",
        "xe đầu kéo",
        "vượt đèn đỏ",
        "chở quá tải",
        "lấn làn",
        "bốc đầu",
        "cao tốc",
        "xe cứu thương",
        "tai nạn liên hoàn",
        "biển báo",
        "đường bộ",
    ),
    "lua_dao": (
        "lừa đảo",
        "giả danh",
        "mạo danh",
        "tội phạm mạng",
        "đường link",
        "lừa",
        "đa cấp",
        "tội phạm công nghệ cao",
        "sử dụng công nghệ cao",
        "sim rác",
        "chiếm quyền",
        "hacker",
        "tin nhắn giả",
        "cuộc gọi",
        "chuyển khoản",
        "sàn ảo",
        "tiền ảo",
        "việc nhẹ lương cao",
        "app cho vay",
        "tài khoản ngân hàng",
        "chiếm đoạt",
        "lừa tình",
        "không gian mạng",
        "mạng xã hội",
        "zalo",
        "facebook",
        "virus",
        "mã độc",
        "thẻ tín dụng",
        "đánh cắp",
        "bẫy",
        "lập lờ",
    ),
    "tham_nhung": (
        "tham nhũng",
        "nhận hối lộ",
        "hối lộ",
        "tham ô",
        "lợi dụng chức vụ",
        "sai phạm",
        "kỷ luật",
        "cố ý làm trái",
        "lạm quyền",
        "nhũng nhiễu",
        "bảo kê",
        "thiếu trách nhiệm",
        "khai trừ",
        "cách chức",
        "thanh tra",
        "lãng phí",
        "làm trái",
        "vi phạm quy định về quản lý",
        "tiêu cực",
        "đình chỉ công tác",
        "kiểm điểm",
        "móc túi",
        "vòi tiền",
        "ăn chặn",
        "nhận tiền",
        "chạy án",
        "bao che",
        "thất thoát",
        "buông lỏng",
        "tống tiền",
        "dùng nhục hình",
        "bức cung",
        "lộng quyền",
    ),
    "chay_no_cuu_nan": (
        "cháy",
        "hỏa hoạn",
        "hoả hoạn",
        "chữa cháy",
        "pccc",
        "cứu nạn",
        "cứu hộ",
        "phát nổ",
        "vụ nổ",
        "đuối nước",
        "lũ quét",
        "sạt lở",
        "mất tích",
        "chập điện",
        "bình gas",
        "bốc cháy",
        "thiêu rụi",
        "cnch",
        "lũ lụt",
        "ngạt khí",
        "mắc kẹt",
        "đuối",
        "nước cuốn",
        "cuốn trôi",
        "lốc xoáy",
        "cháy rừng",
        "thoát nạn",
        "pc07",
        "cứu sống",
        "cứu người",
    ),
    "dich_vu_cong": (
        "căn cước",
        "cccd",
        "cmnd",
        "chứng minh nhân dân",
        "định danh điện tử",
        "vneid",
        "cư trú",
        "hộ khẩu",
        "đăng ký xe",
        "biển số",
        "hộ chiếu",
        "thủ tục hành chính",
        "dịch vụ công",
        "cấp đổi",
        "một cửa",
        "tạm trú",
        "xuất nhập cảnh",
        "thường trú",
        "đăng ký thường trú",
        "cấp căn cước",
        "lý lịch tư pháp",
        "visa",
        "thị thực",
        "bộ phận một cửa",
        "pc06",
        "đề án 06",
        "làm thủ tục",
        "cấp giấy",
        "đăng kiểm",
    ),
    "xay_dung_luc_luong": (
        "công tác đảng",
        "đảng ủy",
        "đảng uỷ",
        "chi bộ",
        "đại hội",
        "thi đua",
        "khen thưởng",
        "bằng khen",
        "huân chương",
        "gương",
        "người tốt việc tốt",
        "phong trào",
        "quân dân",
        "truyền thống",
        "tập huấn",
        "hội thi",
        "trao tặng",
        "thăm hỏi",
        "tặng quà",
        "từ thiện",
        "đoàn thanh niên",
        "học tập và làm theo",
        "nhặt được",
        "trả lại",
        "điển hình tiên tiến",
        "tuyên dương",
        "biểu dương",
        "chiến sĩ",
        "hiến máu",
        "nghĩa tình",
        "dân vận",
        "kết nạp",
        "nghị quyết",
        "bổ nhiệm",
        "điều động",
        "lãnh đạo công an",
        "giám đốc công an",
        "bàn giao",
        "sơ kết",
        "tổng kết",
        "hội nghị",
        "tri ân",
        "anh hùng",
        "liệt sĩ",
        "nhà tình nghĩa",
        "tuổi trẻ công an",
        "tuyển sinh",
        "nghĩa vụ công an",
        "tân binh",
        "giúp dân",
        "mái ấm",
    ),
    "an_ninh_trat_tu": (
        "trộm",
        "cướp",
        "giết người",
        "đâm chết",
        "án mạng",
        "hỗn chiến",
        "đánh bạc",
        "cờ bạc",
        "gây rối",
        "cố ý gây thương tích",
        "truy nã",
        "khởi tố",
        "bắt giữ",
        "bắt khẩn cấp",
        "tạm giam",
        "buôn lậu",
        "vũ khí",
        "súng",
        "hiếp dâm",
        "xâm hại",
        "tín dụng đen",
        "cho vay nặng lãi",
        "khai thác trái phép",
        "phá rừng",
        "lâm tặc",
        "tuần tra",
        "an ninh trật tự",
        "côn đồ",
        "hung thủ",
        "nghi phạm",
        "đối tượng",
        "bị can",
        "xét xử",
        "phiên tòa",
        "tuyên án",
        "án tù",
        "mại dâm",
        "giang hồ",
        "dao",
        "mã tấu",
        "chém",
        "sát hại",
        "tử vong",
        "hàng giả",
        "vận chuyển trái phép",
        "gỗ lậu",
        "đâm",
        "bắt quả tang",
        "hình sự",
        "truy bắt",
        "đầu thú",
        "trốn truy nã",
        "trại giam",
        "phạm nhân",
        "pháo",
        "khai thác cát",
        "buôn bán người",
        "bạo lực",
        "nhập lậu",
        "hàng lậu",
        "giả nhãn hiệu",
        "hóa đơn khống",
        "trốn thuế",
        "tạm giữ",
        "bạo hành",
        "roi điện",
        "còng tay",
        "lô đề",
        "đánh đề",
        "đá gà",
        "ăn tiền",
        "lĩnh án",
        "tù giam",
        "tù treo",
        "cố ý gây",
        "trộm cắp",
        "tang vật",
    ),
}

# Cues that point at the unit's side of the story; tone is judged toward the unit and public order.
TONE_CUES: dict[str, tuple[str, ...]] = {
    "tich_cuc": (
        "bắt giữ",
        "bắt quả tang",
        "triệt phá",
        "phá án",
        "phá thành công",
        "khen thưởng",
        "bằng khen",
        "kịp thời",
        "giải cứu",
        "cứu sống",
        "trao trả",
        "nhặt được",
        "trả lại",
        "giúp đỡ",
        "thành công",
        "đầu thú",
        "truy bắt",
        "bắt được",
        "khống chế",
        "thu giữ",
        "hiệu quả",
        "biểu dương",
        "tuyên dương",
        "tặng quà",
        "nhanh chóng",
        "bắt gọn",
        "sa lưới",
        "phá đường dây",
        "phá ổ",
        "làm rõ",
        "tóm gọn",
        "xuyên đêm",
        "hỗ trợ",
        "giúp",
        "đón nhận",
        "huân chương",
        "điển hình",
        "hài lòng",
        "thuận lợi",
        "ra mắt",
        "hoàn thành",
        "vượt chỉ tiêu",
        "tận tình",
        "cảm ơn",
        "cảm động",
        "xuất sắc",
        "ghi nhận",
        "đánh sập",
        "ngăn chặn",
        "thu hồi",
        "an toàn",
        "dập tắt",
        "đưa ra khỏi",
        "cứu",
        "tìm thấy",
        "đưa về",
        "mở rộng",
        "kịp thời ngăn chặn",
        "thăm hỏi",
        "trao tặng",
    ),
    "tieu_cuc": (
        "tố cáo",
        "bức xúc",
        "khiếu nại",
        "phản ánh",
        "nhũng nhiễu",
        "gây khó dễ",
        "chậm trễ",
        "xếp hàng",
        "vạ vật",
        "hành dân",
        "dùng nhục hình",
        "bức cung",
        "đánh người",
        "bao che",
        "tiêu cực",
        "sai phạm",
        "nhận hối lộ",
        "hoang mang",
        "lo sợ",
        "bỏ trốn",
        "lộng hành",
        "ngang nhiên",
        "bất lực",
        "làm ngơ",
        "thờ ơ",
        "tung tin",
        "vô cảm",
        "kêu cứu",
        "mất an ninh",
        "côn đồ",
        "khủng bố",
        "ngáo đá",
        "đòi tiền",
        "vòi tiền",
        "dọa",
        "đe dọa",
        "hăm dọa",
        "bất thường",
        "khuất tất",
        "ẩn khuất",
        "mờ ám",
        "oan",
        "kêu oan",
        "chưa được giải quyết",
        "nhiều ngày chưa",
        "chưa bắt được",
        "hoành hành",
        "tràn lan",
        "nhức nhối",
        "lo ngại",
        "bất an",
        "khốn khổ",
        "lạm quyền",
        "tham nhũng",
        "kỷ luật",
        "cách chức",
        "khai trừ",
        "đình chỉ",
        "thất thoát",
        "sách nhiễu",
        "chửi",
        "hành hung",
        "lỗi hệ thống",
        "quá tải",
        "chờ đợi",
        "ùn ứ",
        "trả hồ sơ",
        "xôn xao",
        "bị tố",
        "nghi vấn",
        "phẫn nộ",
        "coi thường",
        "chống người thi hành",
        "trả thù",
        "đe doạ",
        "truy sát",
        "bị lừa",
        "mất trắng",
        "sập bẫy",
        "lo lắng",
        "hoảng sợ",
        "tin đồn",
        "quá hạn",
        "lỡ việc",
        "bát nháo",
        "bó tay",
        "hoang phí",
        "lãng phí",
        "nhếch nhác",
        "báo động",
        "bị đánh đập",
        "vẫn chưa được",
        "chưa được xử lý",
        "chưa xử lý",
        "vẫn chưa bắt",
        "kinh hoàng",
        "tồn đọng",
        "xuống cấp",
        "mất tiền",
        "sợ hãi",
        "ép cung",
        "làm khó",
        "thiếu chuẩn mực",
        "lầy lội",
        "mỏi mòn",
        "vô trách nhiệm",
        "tắc trách",
        "bất cập",
        "xin nghỉ việc",
        "bỏ ngành",
        "ô nhiễm",
        "phàn nàn",
        "than phiền",
        "bỏ mặc",
        "thất vọng",
        "phiền hà",
        "mất trộm",
        "chậm giải quyết",
        "thiếu hụt",
        # Real press (issue 11): public frustration and fear in flat words.
        "bế tắc",
        "ùn tắc",
        "kẹt xe",
        "bỏ quên",
        "tung hoành",
        "nhiêu khê",
        "vô tội",
        "nguy cơ",
        "bất hợp lý",
        "mất tích",
        "làm nhục",
        "lạm thu",
        "dân kêu",
        "gia tăng",
        "tái diễn",
        "mòn mỏi",
        "chen lấn",
        "bị bỏ rơi",
    ),
}

# A police action in the headline makes the story a success for the unit (DESIGN.md: arresting a drug
# ring is tich_cuc). Checked on the title only; "bắt" alone would also match "bắt đầu", "bắt cóc".
ACTION = (
    "bắt giữ",
    "bắt quả tang",
    "bắt gọn",
    "bắt được",
    "bắt nhóm",
    "bắt đối tượng",
    "bắt nghi phạm",
    "bắt kẻ",
    "bắt tên",
    "bắt băng",
    "bắt ổ",
    "bắt thêm",
    "bắt hai",
    "bắt ba",
    "bắt nhiều",
    "bắt người",
    "bắt gã",
    "bắt nữ",
    "triệt phá",
    "triệt xóa",
    "phá đường dây",
    "phá ổ",
    "phá sòng",
    "phá án",
    "tóm gọn",
    "sa lưới",
    "đánh sập",
    "giải cứu",
    "cứu sống",
    "trao trả",
    "thu giữ",
    "ngăn chặn kịp thời",
    "kịp thời ngăn chặn",
    "truy bắt",
    "khống chế",
    "ra đầu thú",
    "tiêu hủy",
    "nhổ bỏ",
    "dập tắt",
    "cứu",
    "khen thưởng",
    "tặng quà",
    "trả lại",
)

# Officers, units and offices: a complaint word near one of these is criticism of the unit.
AUTHORITY = (
    "công an",
    "cán bộ",
    "cảnh sát",
    "csgt",
    "chiến sĩ",
    "trung tá",
    "thiếu tá",
    "đại úy",
    "thượng úy",
    "trung úy",
    "trưởng công an",
    "phó trưởng công an",
    "đội trưởng",
    "điều tra viên",
    "trại tạm giam",
    "nhà tạm giữ",
    "công chức",
    "chính quyền",
    "ubnd",
    "cán bộ tiếp dân",
    "thiếu úy",
    "đại tá",
    "thượng tá",
)

# Criticism of the authorities: any of these with an AUTHORITY word is tieu_cuc whatever the model says.
CRITICISM = (
    "tố cáo",
    "bị tố",
    "tiếp tay",
    "bao che",
    "nhũng nhiễu",
    "sách nhiễu",
    "gây khó dễ",
    "nhận hối lộ",
    "vòi tiền",
    "dùng nhục hình",
    "bức cung",
    "đánh người",
    "hành hung",
    "làm ngơ",
    "thờ ơ",
    "khuất tất",
    "kêu oan",
    "kỷ luật",
    "đình chỉ công tác",
    "tạm đình chỉ",
    "cách chức",
    "khai trừ",
    "chạy án",
    "bảo kê",
    "bức xúc",
    "hành dân",
    "vạ vật",
    "tử vong trong trại",
    "chết trong trại",
    "tử vong tại trụ sở",
    "chết tại trụ sở",
    "xếp hàng từ",
    "chờ cả ngày",
    "trả hồ sơ nhiều lần",
)

_SPACE_RE = re.compile(r"\s+")
# Look-alike letters (Cyrillic, IPA small capitals) that clickbait pages use to dodge keyword filters:
# "Ƭһảᴍ á.п ở Bắᴄ Gɪɑпɡ". Folded to Latin so language detection, cues and models see the words.
_CONFUSABLES = str.maketrans(
    "аеорсухіјһпгтɡɪɑᴄᴍᴏᴋᴜᴠᴡʏʟɴʀᴛᴅᴇᴀʙʜᴊᴘѕԀƄЬρƬАЕОРСХНКМТВІ",
    "aeopcyxijhnrtgiacmokuvwylnrtdeabhjpsdbbpTAEOPCXHKMTBI",
) | {ord("ƌ"): "đ"}
# C0/C1 controls, zero-width and bidi marks, BOM, unassigned private use: noise from scrapers and editors.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ue000-\uf8ff]+")
_TAG_RE = re.compile(r"<[^>]{0,500}>")
_ENTITY_RE = re.compile(r"&(nbsp|amp|quot|lt|gt|#\d{1,6});")
_ENTITY = {"nbsp": " ", "amp": "&", "quot": '"', "lt": "<", "gt": ">"}
# Cue boundaries: any run of characters that are not letters/digits separates syllables.
_PUNCT_RE = re.compile(r"[^\w]+")


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#"):
        code = int(name[1:])
        return chr(code) if 0 < code < 0xD800 else " "
    return _ENTITY[name]


def clean(text: str) -> str:
    """Strip HTML tags/entities, surrogates and control characters; NFC; collapse whitespace."""
    text = text.encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = _ENTITY_RE.sub(_entity, text)
    text = unicodedata.normalize("NFC", text.translate(_CONFUSABLES))
    text = _CONTROL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def norm(text: str) -> str:
    """Lower-case, punctuation-free, space-padded form used for cue matching and as model input."""
    return " " + _PUNCT_RE.sub(" ", text.lower()).strip() + " "


def find_cues(normed: str, cues: Iterable[str]) -> list[str]:
    """Cues (whole syllable sequences) present in already-normalised text, in lexicon order.

    Text written without diacritics ("cong an bat giu") is matched against the cues folded the same way.
    """
    if normed.isascii():
        cues = folded_cues(tuple(cues))
    return [c for c in cues if f" {c} " in normed]


def count_cues(normed: str, cues: Iterable[str]) -> int:
    """Total occurrences of the cues in already-normalised text (folded cues for unaccented text)."""
    if normed.isascii():
        cues = folded_cues(tuple(cues))
    return sum(normed.count(f" {c} ") for c in cues)


@functools.lru_cache(maxsize=256)
def folded_cues(cues: tuple[str, ...]) -> tuple[str, ...]:
    """The cues as they read without diacritics; a one-syllable cue that loses its marks is dropped
    ("tông" would become "tong", which is also "tổng"), one that never had any ("heroin") is kept."""
    out = (fold_ascii(c) for c in cues if " " in c or c.isascii())
    return tuple(dict.fromkeys(out))


def topic_scores(title: str, body: str) -> dict[str, float]:
    """Cue score per topic: title hits weigh three times body hits (the title states the subject)."""
    t, b = norm(title), norm(body[:1500])
    scores = {
        k: GENERIC_WEIGHT.get(k, 1.0) * (3.0 * count_cues(t, v) + count_cues(b, v))
        for k, v in TOPIC_CUES.items()
    }
    if not find_cues(norm(title + " " + body[:600]), POLICE):
        for k in POLICE_ONLY:
            scores[k] = 0.0
    return scores


POLICE = ("công an", "cảnh sát", "chiến sĩ", "csgt", "cstt", "pccc", "bộ công an", "ngành công an")
# Topics that only make sense for the police force itself (a party congress of a ministry is `khac`).
POLICE_ONLY = ("xay_dung_luc_luong",)
# Generic crime vocabulary also fills drug, fraud and traffic stories: damp it so the specific topic wins.
GENERIC_WEIGHT = {"an_ninh_trat_tu": 0.6}


# Tone cues that a disaster report carries without blaming anyone (a flood leaves people missing).
DISASTER_WORDS = ("mất tích", "nguy cơ", "báo động", "kinh hoàng", "hoảng sợ", "sợ hãi", "lo sợ", "bất an")
# Words that say the text is a rule, a plan or a tally, not a case: "Bộ Công an ra quy chế xử lý cán bộ vi
# phạm kỷ luật", "Năm 2005: tiếp tục triển khai cải cách" (real press, issue 11).
POLICY = ("quy chế", "quy định", "nghị định", "thông tư", "chỉ thị", "triển khai", "kế hoạch", "cải cách")
# "tố cáo" is criticism of an officer only when an officer is the one accused, not when a victim reports a
# crime to the police ("đến công an tố cáo", "theo đơn tố cáo của người bị hại").
_ACCUSE = ("tố cáo", "to cao")


def rule_tone(normed: str, title: str = "") -> tuple[str, str] | None:
    """High-precision override: criticism aimed at officers or offices is tieu_cuc; returns (tone, reason).

    `title` (normalised), when given, lets a rule or plan in the headline switch the override off.
    """
    crit = [c for c in find_cues(normed, CRITICISM) if c not in _ACCUSE or _accuses_officer(normed)]
    if not crit:
        return None
    auth = find_cues(normed, AUTHORITY)
    if not auth or (title and find_cues(title, POLICY)):
        return None
    return "tieu_cuc", f'Quy tắc từ vựng: "{crit[0]}" + "{auth[0]}"'


_ACCUSED_RX = re.compile(
    r" (?:tố cáo|to cao) (?:\S+ ){0,3}(?:công an|cong an|cán bộ|can bo|cảnh sát|canh sat|csgt|chiến sĩ|trưởng|truong)"
    r"| (?:bị|bi) (?:tố cáo|to cao) "
)


def _accuses_officer(normed: str) -> bool:
    """An officer is the one accused: "dân tố cáo trưởng công an xã", "cán bộ bị tố cáo"."""
    return bool(_ACCUSED_RX.search(normed))
