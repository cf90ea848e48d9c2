"""An alert batch as a mail (plain text + small HTML) and as a webhook JSON body (pure)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from monitor.store.alert_outbox import AlertEntry
from monitor.timefmt import fmt_datetime, iso_local

EVENT_WORDS = {
    "critical": "Tin khẩn cấp",
    "overdue": "Quá hạn xử lý",
    "assigned": "Được giao xử lý",
    "approval": "Chờ duyệt phản hồi",
}


def case_link(base_url: str, case_id: int) -> str | None:
    """The case page on the web app, when `[web].base_url` is an http(s) address."""
    if not base_url or urlsplit(base_url).scheme not in ("http", "https"):
        return None
    return f"{base_url.rstrip('/')}/cases/{case_id}"


def subject(batch: Sequence[AlertEntry]) -> str:
    """'[KHẨN] Tin khẩn cấp — vụ việc #12' for one alert, '3 cảnh báo …' for several."""
    prefix = "[KHẨN] " if any(a.urgent for a in batch) else ""
    if len(batch) == 1:
        a = batch[0]
        return f"{prefix}{EVENT_WORDS.get(a.event, a.event)} — vụ việc #{a.case_id}"
    return f"{prefix}{len(batch)} cảnh báo từ hệ thống giám sát báo chí"


def text_body(batch: Sequence[AlertEntry], base_url: str) -> str:
    """The plain-text part: one paragraph per alert (why, title, link)."""
    lines = []
    for a in batch:
        lines.append(f"• {EVENT_WORDS.get(a.event, a.event)}: {a.reason}")
        lines.append(f"  Tin: {' '.join(a.title.split())}")
        link = case_link(base_url, a.case_id)
        lines.append(f"  Mở vụ việc: {link}" if link else f"  Xem: monitor case {a.case_id}")
        lines.append("")
    lines.append("--\nThư gửi tự động từ hệ thống giám sát báo chí. Vui lòng không trả lời thư này.")
    return "\n".join(lines) + "\n"


def html_body(batch: Sequence[AlertEntry], base_url: str) -> str:
    """The HTML part: the same paragraphs, escaped, with the case link."""
    items = []
    for a in batch:
        link = case_link(base_url, a.case_id)
        colour = "#b3261e" if a.urgent else "#1d2433"
        target = (
            f'<a href="{html.escape(link)}" style="color:#0b57d0">Mở vụ việc #{a.case_id}</a>'
            if link
            else f"Vụ việc #{a.case_id} (monitor case {a.case_id})"
        )
        items.append(
            f'<p style="margin:0 0 14px 0"><b style="color:{colour}">'
            f"{html.escape(EVENT_WORDS.get(a.event, a.event))}</b>: {html.escape(a.reason)}<br>"
            f"Tin: {html.escape(' '.join(a.title.split()))}<br>{target}</p>"
        )
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1d2433">'
        + "".join(items)
        + '<p style="font-size:12px;color:#6b7385">Thư gửi tự động từ hệ thống giám sát báo chí.</p>'
        "</body></html>"
    )


def webhook_payload(batch: Sequence[AlertEntry], base_url: str) -> dict[str, Any]:
    """The JSON body POSTed to the webhook: a text ready to forward and the structured alerts."""
    return {
        "text": text_body(batch, base_url),
        "alerts": [
            {
                "case_id": a.case_id,
                "event": a.event,
                "urgent": a.urgent,
                "reason": a.reason,
                "title": " ".join(a.title.split()),
                "url": case_link(base_url, a.case_id),
                "created_at": iso_local(a.created_at),
                "created_at_text": fmt_datetime(a.created_at),
            }
            for a in batch
        ],
    }
