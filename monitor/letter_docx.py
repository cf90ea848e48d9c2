"""Render a `Letter` as a .docx file (python-docx): A4, Times New Roman, the administrative layout.

The only module that imports python-docx. It decides nothing: every word and its place come from
`monitor.queue.letters.build_letter`. Margins and sizes follow Nghị định 30/2020/NĐ-CP (top and bottom
20 mm, left 30 mm, right 15 mm; 13–14 pt body).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from monitor.queue.letters import MOTTO, NATION, SIGN_HINT, Letter

FONT = "Times New Roman"


def _font(
    run: Any, size: float, *, bold: bool = False, italic: bool = False, underline: bool = False
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    # Word picks the East-Asian font slot for some Vietnamese letters unless it is named too.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _line(cell_or_doc: Any, text: str, size: float, *, align: str = "center", **style: bool) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = cell_or_doc.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    _font(p.add_run(text), size, **style)
    return p


def _first_paragraph(cell: Any) -> None:
    """A new table cell holds one empty paragraph: remove it so the cell starts with our text."""
    first = cell.paragraphs[0]
    first._element.getparent().remove(first._element)


def letter_docx(letter: Letter, created: datetime) -> bytes:
    """The .docx bytes of `letter` (document properties dated `created`)."""
    from docx import Document
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)

    if letter.draft_mark:
        _line(doc, letter.draft_mark, 14, align="left", bold=True)
    head = doc.add_table(rows=2, cols=2)
    left, right = head.cell(0, 0), head.cell(0, 1)
    for cell in (left, right, head.cell(1, 0), head.cell(1, 1)):
        _first_paragraph(cell)
    for i, line in enumerate(letter.issuer_lines):
        last = i == len(letter.issuer_lines) - 1
        _line(left, line, 13, bold=last, underline=last)
    _line(right, NATION, 12, bold=True)
    _line(right, MOTTO, 13, bold=True, underline=True)
    _line(head.cell(1, 0), letter.number, 13)
    if letter.subject:
        _line(head.cell(1, 0), letter.subject, 12)
    _line(head.cell(1, 1), letter.place_date, 14, italic=True)

    _line(doc, "", 14)
    if letter.heading:
        _line(doc, letter.heading, 14, bold=True)
        _line(doc, letter.title, 14, bold=True)
    if letter.addressee:
        _line(doc, letter.addressee, 14)
    _line(doc, "", 14)
    for paragraph in letter.paragraphs:
        for text in paragraph.split("\n"):
            p = _line(doc, text, 14, align="justify")
            p.paragraph_format.first_line_indent = None if text.startswith("- ") else Cm(1)
            p.paragraph_format.space_after = Pt(6)

    foot = doc.add_table(rows=1, cols=2)
    left, right = foot.cell(0, 0), foot.cell(0, 1)
    _first_paragraph(left)
    _first_paragraph(right)
    _line(left, "", 12)
    _line(left, "Nơi nhận:", 12, align="left", bold=True, italic=True)
    for line in letter.recipients:
        _line(left, line, 11, align="left")
    _line(right, "", 14)
    for line in letter.signer_title:
        _line(right, line, 14, bold=True)
    _line(right, SIGN_HINT, 13, italic=True)
    for _ in range(4):
        _line(right, "", 14)
    if letter.signer_name:
        _line(right, letter.signer_name, 14, bold=True)

    props = doc.core_properties
    props.title = letter.title
    props.author = letter.issuer_lines[-1]
    props.created = props.modified = created.replace(tzinfo=None)
    props.last_modified_by = letter.issuer_lines[-1]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
