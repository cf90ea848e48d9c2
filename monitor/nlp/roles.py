"""Who does what to whom: the police's role in a story decides its tone toward the unit (issue 11).

Generic sentiment reads "côn đồ hành hung công an xã" and "trưởng công an xã đánh dân" alike; DESIGN.md does
not. Pure rules over the title and lead, sentence by sentence, each returning a Vietnamese reason:
- victim: the police are attacked ("hành hung cảnh sát", "công an bị chém", "chống người thi hành công vụ")
  → never criticism of the unit;
- misconduct: the police (or a lock-up in their care) are the agent of harm ("cảnh sát giao thông đánh tài
  xế", "công an bị khởi tố", "trốn khỏi nhà tạm giữ", "chết trong trại giam", "ép cung", "bắt oan")
  → tieu_cuc even in flat, factual words;
- corruption: officials' corruption or abuse of office (not a nation-wide summary) → tieu_cuc;
- action: the police arrest, bust, seize ("Công an TP vừa bắt giữ…") → tich_cuc.
Texts written without diacritics are matched against the same patterns folded to ASCII.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.nlp.normalize import fold_ascii

# Police nouns (lower case). "cán bộ" alone is any official: only with "công an" or in a lock-up context.
_POLICE = (
    r"(?:công an(?: viên)?|cảnh sát(?: giao thông| hình sự| cơ động| khu vực)?|csgt|cstt|cshs|chiến sĩ"
    r"|trưởng công an|phó công an|phó trưởng công an|cán bộ công an|sĩ quan công an|điều tra viên|quản giáo"
    r"|trinh sát|tổ công tác)"
)
# No one-syllable verbs whose accent-free form is another word: tát/tắt, đạp/dập, tông/tổng.
# "đánh" also reads "đánh bạc", "đánh giá", "đánh đề"...: only the blow counts.
_BEAT = r"đánh(?! (?:bạc|bài|giá|đề|số|cá|thuế|dấu|tráo|lừa|cắp|bắt|động|đổi|bóng|cờ|thức|tiếng))"
_HARM = (
    rf"(?:hành hung|tấn công|chém|đâm|bắn|{_BEAT}|đe dọa|lăng mạ|xô xát|cản trở|ném đá|đâm xe|sát hại|giết hại"
    r"|làm chết|khủng bố)"
)
_VICTIM = (
    rf"{_HARM}(?: \S+){{0,3}} {_POLICE}",  # "côn đồ hành hung (1) công an xã"
    rf"{_POLICE}(?: (?!(?:bắn|đánh|chém|đâm)\b)\S+){{0,4}} bị (?:\S+ ){{0,3}}(?:hành hung|tấn công|chém|đâm|bắn|{_BEAT}|thương|sát hại|giết)",
    r"chống (?:lại )?người (?:đang )?thi hành công vụ",
    # the attacker is the subject: "khởi tố kẻ hành hung một cục phó của Bộ Công an"
    rf"(?:kẻ|đối tượng|côn đồ|nhóm|băng) {_HARM}(?: \S+){{0,5}} {_POLICE}",
    r"chống đối lực lượng",
)
# The police abusing their office (the story's topic is then tham_nhung: misconduct of officers).
_ABUSE = (
    rf"{_POLICE}(?: \S+){{0,4}} (?:nhận hối lộ|vòi tiền|nhận tiền|bảo kê|tiếp tay|bao che|nhận mãi lộ|mãi lộ"
    r"|lợi dụng chức vụ|làm sai lệch|dựng kịch bản)",
    rf"{_POLICE}(?: \S+){{0,4}} bị (?:bắt|khởi tố|truy tố|kỷ luật|đình chỉ|cách chức|tước danh hiệu|tạm giữ"
    r"|tạm giam|điều tra|tố|tố cáo|kiện|xử lý)",
    # not "trốn sự truy bắt của công an", "đã bị bắt, công an đang truy tìm"
    rf"(?<!truy )(?<!bị )(?:khởi tố|truy tố|kỷ luật|đình chỉ|xử lý|bắt) (?!của )(?:\S+ ){{0,3}}{_POLICE}",
)
# The police, or a lock-up in their care, as the agent of harm.
_MISCONDUCT = (
    # The officer is the subject: no "bị" (acted upon) between; an officer firing to stop a robber is no harm.
    rf"{_POLICE}(?: (?!(?:bị|nghi|đối|kẻ|tên|hung|thủ)\b)\S+){{0,6}} (?:{_BEAT}|hành hung|bắn chết|bắn bị thương|nổ súng|ép cung|bức cung"
    r"|dùng nhục hình|nhũng nhiễu|sách nhiễu|gây khó dễ|làm ngơ)",
    rf"bị {_POLICE}(?: \S+){{0,3}} (?:đánh|hành hung|bắn|ép cung|bức cung|bắt oan)",
    r"trốn khỏi (?:nhà tạm giữ|trại giam|trại tạm giam|phòng tạm giữ|buồng giam|nơi giam giữ|nơi tạm giữ|trụ sở công an"
    r"|trại cải tạo|trại)",
    r"(?:trốn trại|vượt ngục|để (?:\S+ ){0,2}(?:phạm nhân|bị can|bị án|can phạm|đối tượng) (?:bỏ )?trốn)",
    r"(?:chết|tử vong) (?:trong|tại) (?:trại giam|trại tạm giam|nhà tạm giữ|phòng tạm giữ|buồng giam"
    r"|trụ sở công an|trụ sở)",
    r"(?:ép cung|bức cung|dùng nhục hình|mớm cung)",
    r"(?:bắt oan|giam oan|truy tố oan|khởi tố oan|oan sai|bắt giam oan|tạm giam oan)",
)
# Talk about wrongful convictions in general (a policy, a seminar, a legal answer) blames no one.
_POLICY = (
    r"(?:tránh|hạn chế|phòng ngừa|cơ chế|nghị quyết|hội thảo|khái niệm|thế nào|sẽ được bồi thường|tăng cường"
    r"|quy định)"
)
_CORRUPTION = (
    r"(?:tham ô|tham nhũng|nhận hối lộ|môi giới hối lộ|lợi dụng chức vụ|lạm dụng chức vụ|cố ý làm trái"
    r"|thiếu trách nhiệm gây hậu quả|biển thủ|rút ruột|nâng khống|nâng giá|kê khống|lập khống|chạy án"
    r"|khai khống|thất thoát|sai phạm|tiêu cực|chiếm đoạt tiền|vi phạm quy định về quản lý|mua chuộc)"
)
_OFFICIAL = (
    r"(?:nguyên|cựu|cán bộ|giám đốc|chủ tịch|trưởng|phó|lãnh đạo|thủ quỹ|kế toán|thủ kho|kiểm sát viên"
    r"|thẩm phán|thư ký|công an|cảnh sát|sĩ quan|quan chức|viên chức|công chức|thanh tra|hải quan|kiểm lâm"
    r"|địa chính|trạm)"
)
# In a title, these need no official nearby: the word itself says abuse of office.
_CORRUPTION_TITLE = (
    r"(?:tham ô|tham nhũng|nhận hối lộ|lợi dụng chức vụ|lạm dụng chức vụ|cố ý làm trái|biển thủ|chạy án"
    r"|rút ruột|nâng khống)"
)
# An official in the dock: "Giám đốc lâm trường … bị bắt giam", "Bốn cựu lãnh đạo … sắp ra tòa".
_OFFICIAL_ACCUSED = (
    r"(?:giám đốc|nguyên|cựu|lãnh đạo|cán bộ|kiểm sát viên|thẩm phán|chủ tịch|trưởng phòng|thư ký|quan chức"
    r"|thủ quỹ|kế toán)(?: \S+){0,6} (?:bị (?:bắt|khởi tố|truy tố|bắt giam|bắt tạm giam|kỷ luật|đình chỉ"
    r"|cách chức|đề nghị khởi tố|đề nghị truy tố)|sắp (?:ra|hầu) tòa|hầu tòa|lừa đảo|chiếm đoạt)"
    # "Bắt tạm giam nguyên phó tổng giám đốc…", "Khởi tố nguyên phó chủ nhiệm ban quản lý dự án…"
    r"|^(?:[^:]{1,30}: )?(?:bắt|bắt tạm giam|bắt giam|bắt khẩn cấp|khởi tố|truy tố)(?: \S+){0,2} "
    r"(?:(?:nguyên|cựu) (?:phó |chủ |giám |trưởng |cán )|cán bộ|chủ tịch|phó chủ tịch)"
    # caught in the act: "Công an TP vừa bắt quả tang một thư ký tòa án đang nhận tiền"
    r"|(?:bắt quả tang|bắt khẩn cấp|bắt tạm giam) (?:một |\d+ )?(?:thư ký|cán bộ|kiểm sát viên|thẩm phán|chủ tịch"
    r"|phó chủ tịch|trưởng phòng|nguyên|cựu)"
)
# A statistic or a rule about corruption is not a case: "hơn 1.300 cán bộ bị khởi tố", "quy chế xử lý".
_SUMMARY = (
    r"(?:(?:hơn|gần|trên) [\d.,]+ (?:cán bộ|vụ|người|trường hợp|đảng viên)|\d[\d.,]* (?:cán bộ|vụ)|năm qua|tháng qua|cả nước|toàn quốc|quy chế|quy định"
    r"|tổng kết|sơ kết|chủ yếu do|nhiều vụ)"
)
_ACTION = (
    rf"(?:{_POLICE}|cơ quan điều tra|cơ quan csđt|cơ quan cảnh sát|phòng cảnh sát|đội cảnh sát|lực lượng chức"
    r" năng|cơ quan chức năng|công an \S+|bộ đội biên phòng|ban chuyên án|phòng pc\d+|pc\d+)(?: \S+){0,8} "
    r"(?<!chưa )(?<!không )(?<!dừng )(?<!ngừng )(?<!nơi )(?<!nhà )(?<!phòng )(?:đã |vừa |đang )?(?:bắt giữ|bắt quả tang|bắt khẩn cấp|bắt được|bắt gọn|bắt tạm giam|triệt phá|khám phá"
    r"|phá (?:ổ|đường dây|băng|sòng|vụ)|tạm giữ|thu giữ|truy bắt|tóm gọn|giải cứu|phát hiện|bóc gỡ"
    r"|bắt(?! (?:cóc|đầu|buộc|gặp|tay|nguồn|chước|bớ|nạt)))(?!\S)",
    # a place may head the title: "TP HCM: tạm giữ 5 taxi"; fines and seizures are enforcement too
    r"^(?:[^:]{1,30}: )?(?:bắt(?! (?:trẻ|cóc|con tin))|phá (?:ổ|đường dây|băng|sòng|vụ|tụ điểm)|triệt phá|tạm giữ"
    r"|tạm giam|bắt giữ|xử phạt|phạt (?:\d|hơn|gần|trên)|tịch thu|thu giữ"
    r"|bắt tạm giam|bắt khẩn cấp|khởi tố, bắt|truy bắt|ra lệnh bắt|khởi tố (?:vụ|băng|đường dây|nhóm|kẻ|\d+ đối tượng)) ",
    # caught in the end: "…vẫn không thoát khỏi lưới trời", "cho đến khi bị Công an TP.HCM bắt"
    rf"(?:lưới trời|sa lưới|ra đầu thú|bị {_POLICE}(?: \S+){{0,4}} bắt(?: giữ| được)?(?!\S))",
)
# The police warning or advising the public, or impersonated by crooks: a public-service story, not
# criticism of the unit ("Công an tỉnh khuyến cáo người dân…", "giả danh cán bộ công an gọi điện").
_ADVICE = (
    rf"{_POLICE}(?: \S+){{0,6}} (?:khuyến cáo|cảnh báo|lưu ý|đề nghị người dân|thông tin tới người dân|khuyên)",
    r"giả danh (?:cán bộ |cơ quan |lực lượng |chiến sĩ )?(?:công an|cảnh sát)",
    r"^cảnh báo (?:thủ đoạn|chiêu|chiêu trò|tình trạng|lừa đảo|mạo danh)",
)
_ESCAPE = re.compile(r"tr[oố]n|v[uư][oợ]t ng[uụ]c")
_SENTENCE = re.compile(r"(?:[!?;\n]|\.(?!\d)|(?<!\d)\.)+")  # "1.300 cán bộ" is one number
LEAD_CHARS = 320  # the title and the lead decide; the sentences around the mention come first (see focus)


@dataclass(frozen=True)
class Role:
    """The police's role in a story and what it means for tone, with the words that showed it."""

    kind: str  # "victim" | "abuse" | "misconduct" | "corruption" | "action" | "advice"
    tone: str  # "trung_tinh" | "tieu_cuc" | "tich_cuc"
    words: str  # the matched words, quoted in the reason
    reason: str  # Vietnamese, for a collaborator


_REASONS = {
    "victim": 'Công an là nạn nhân, không phải đối tượng bị phê phán: "{}"',
    "abuse": 'Cán bộ công an bị tố, bị xử lý vì sai phạm: "{}"',
    "misconduct": 'Công an/nơi tạm giữ là chủ thể sai phạm: "{}"',
    "corruption": 'Cán bộ tham nhũng, sai phạm: "{}"',
    "action": 'Lực lượng chức năng hành động: "{}"',
    "advice": 'Công an cảnh báo, khuyến cáo người dân (hoặc bị kẻ gian giả danh), không bị phê phán: "{}"',
}
_TONE = {
    "victim": "trung_tinh",
    "abuse": "tieu_cuc",
    "misconduct": "tieu_cuc",
    "corruption": "tieu_cuc",
    "action": "tich_cuc",
    "advice": "trung_tinh",
}


@functools.cache
def _compiled(plain: bool) -> dict[str, tuple[re.Pattern[str], ...]]:
    def rx(p: str) -> re.Pattern[str]:
        # Fold only the Vietnamese letters: fold_ascii also lower-cases, which would turn \S into \s.
        return re.compile("".join(fold_ascii(c) if ord(c) > 127 else c for c in p) if plain else p)

    return {
        "victim": tuple(rx(p) for p in _VICTIM),
        "abuse": tuple(rx(p) for p in _ABUSE),
        "misconduct": tuple(rx(p) for p in _MISCONDUCT),
        "policy": (rx(_POLICY),),
        "corruption": (rx(_CORRUPTION),),
        "corruption_title": (rx(_CORRUPTION_TITLE), rx(_OFFICIAL_ACCUSED)),
        "official": (rx(_OFFICIAL),),
        "summary": (rx(_SUMMARY),),
        "action": tuple(rx(p) for p in _ACTION),
        "advice": tuple(rx(p) for p in _ADVICE),
        "impostor": (rx(_ADVICE[1]),),
    }


def _sentences(title: str, lead: str) -> list[str]:
    text = (title + "\n" + lead[:LEAD_CHARS]).lower()
    return [" ".join(s.replace(",", " ").split()) for s in _SENTENCE.split(text) if s.strip()]


def _first(patterns: tuple[re.Pattern[str], ...], sentence: str) -> str | None:
    for p in patterns:
        m = p.search(sentence)
        if m:
            return m.group(0)
    return None


def mention_sentences(text: str, spans: Sequence[tuple[int, int]], limit: int = 2) -> str:
    """The sentences of `text` holding the first `limit` mention spans, joined by newlines (pure)."""
    out: list[str] = []
    for start, end in spans[:limit]:
        a = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
        ends = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
        sentence = text[a : min(ends) if ends else len(text)].strip()
        if sentence and sentence not in out:
            out.append(sentence)
    return "\n".join(out)


def police_role(title: str, lead: str, focus: str = "") -> Role | None:
    """The police's role: in the sentences around the mention (`focus`) first, else in the title and lead.

    Within one place the strongest role wins (abuse > misconduct > victim > corruption > action > advice).
    """
    if focus:
        near = _role_in(_sentences(focus, ""), focus.isascii())
        if near:
            return near
    return _role_in(_sentences(title, lead), (title + lead[:LEAD_CHARS]).isascii())


def _role_in(sentences: list[str], plain: bool) -> Role | None:
    rx = _compiled(plain)
    found: dict[str, str] = {}
    if sentences and not _first(rx["summary"], sentences[0]):
        hit = _first(rx["corruption_title"], sentences[0])
        if hit:
            found["corruption"] = hit
    for s in sentences:
        for kind in ("abuse", "misconduct", "victim", "action", "advice"):
            if kind not in found:
                hit = _first(rx[kind], s)
                if hit and kind == "misconduct" and "oan" in hit and _first(rx["policy"], s):
                    continue  # "Tăng cường tranh tụng để tránh oan sai"
                if hit:
                    found[kind] = hit
        if "corruption" not in found:
            hit = _first(rx["corruption"], s)
            if hit and _first(rx["official"], s) and not _first(rx["summary"], sentences[0]):
                found["corruption"] = hit
    for bad in ("abuse", "misconduct"):
        if "victim" in found and bad in found and found[bad] in found["victim"]:
            del found[bad]  # "côn đồ đánh công an" read backwards as "công an … đánh"
    if "corruption" in found and any(_first(rx["impostor"], s) for s in sentences):
        del found["corruption"]  # "kẻ gian giả danh cán bộ công an để chiếm đoạt": no official did it
    if "misconduct" in found and "action" in found and _ESCAPE.search(found["misconduct"]):
        del found["misconduct"]  # an escapee caught again: the arrest is the story ("Tên cướp trốn trại…")
    for kind in ("abuse", "misconduct", "victim", "corruption", "action", "advice"):
        if kind in found:
            words = found[kind].strip()
            return Role(kind, _TONE[kind], words, _REASONS[kind].format(words))
    return None
