"""A response as a document the board signs, laid out as a Vietnamese administrative text (pure).

Layout after Nghị định 30/2020/NĐ-CP (thể thức văn bản hành chính): the issuing body top left (its
parent in capitals, the issuing office in bold capitals), the national title and motto top right, the
number and symbol under the issuer, the place and date in italics under the motto, "Kính gửi:", the
body, "Nơi nhận:" bottom left and the signature block bottom right. A renderer (.docx) only places
what `build_letter` returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from monitor.config import LetterSettings
from monitor.queue.responses import Draft
from monitor.timefmt import local
from monitor.vocab import ResponseKind

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"
_HEADINGS = {
    ResponseKind.PRESS_STATEMENT: "THÔNG CÁO BÁO CHÍ",
    ResponseKind.UNIT_POST: "BÀI ĐĂNG TRÊN TRANG THÔNG TIN CỦA ĐƠN VỊ",
}


@dataclass(frozen=True)
class Letter:
    """Every line of the document, in the order and place it is printed."""

    issuer_lines: tuple[str, ...]  # top left: parent body, then the issuing office in bold
    number: str  # "Số:        /CAT-PTM"
    subject: str | None  # "V/v …" under the number (official letters only)
    place_date: str  # "Kon Tum, ngày 01 tháng 12 năm 2026"
    heading: str | None  # "THÔNG CÁO BÁO CHÍ" for a statement; None for a letter
    title: str
    addressee: str | None  # "Kính gửi: Ban Biên tập Báo Kon Tum."
    paragraphs: tuple[str, ...]
    recipients: tuple[str, ...]  # the lines under "Nơi nhận:"
    signer_title: tuple[str, ...]
    signer_name: str
    draft_mark: str | None = None  # "DỰ THẢO" on a version no leader has approved yet


def issuer_name(settings: LetterSettings, unit_names: tuple[str, ...]) -> str:
    """Who signs: `[letters].issuer`, else the first watched unit, else a neutral placeholder."""
    return settings.issuer.strip() or (unit_names[0] if unit_names else "Cơ quan Công an")


def place_of(settings: LetterSettings, issuer: str) -> str:
    """The place before the date: `[letters].place`, else the issuer's name after "Công an tỉnh"."""
    if settings.place.strip():
        return settings.place.strip()
    m = re.match(r"(?i)^\s*công an\s+(?:tỉnh|thành phố|tp\.?)\s+(.+)$", issuer)
    return m.group(1).strip() if m else issuer


def date_line(place: str, when: datetime) -> str:
    """ "Kon Tum, ngày 05 tháng 01 năm 2026": day below 10 and months 1–2 take a leading zero (NĐ 30)."""
    d = local(when)
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def build_letter(
    draft: Draft,
    settings: LetterSettings,
    unit_names: tuple[str, ...],
    when: datetime,
    contact: str | None = None,
    *,
    approved: bool = False,
) -> Letter:
    """Lay out `draft` as the document to print and sign, dated `when` (Vietnam time)."""
    issuer = issuer_name(settings, unit_names)
    department = settings.department.strip()
    issuer_lines = (issuer.upper(), department.upper()) if department else (issuer.upper(),)
    symbol = settings.symbol.strip()
    letter = draft.kind is ResponseKind.CORRECTION_REQUEST
    outlet = draft.outlet_name
    recipients = (
        [f"- Như trên{f' ({contact.strip()})' if contact and contact.strip() else ''};"]
        if letter and outlet
        else []
    )
    recipients.append(f"- Lưu: VT{', ' + department if department else ''}.")
    return Letter(
        issuer_lines=issuer_lines,
        number=f"Số:        /{symbol}" if symbol else "Số:        /",
        subject="V/v đề nghị cải chính thông tin trên báo chí" if letter else None,
        place_date=date_line(place_of(settings, issuer), when),
        heading=None if letter else _HEADINGS.get(draft.kind),
        title=draft.title,
        addressee=f"Kính gửi: Ban Biên tập {outlet}." if outlet and letter else None,
        paragraphs=tuple(p for p in draft.body.split("\n\n") if p.strip()),
        recipients=tuple(recipients),
        signer_title=tuple(
            line.strip().upper() for line in settings.signer_title.split("\n") if line.strip()
        ),
        signer_name=settings.signer_name.strip(),
        draft_mark=None if approved else "DỰ THẢO",
    )
