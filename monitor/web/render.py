"""Template helpers: Vietnamese dates and labels, safe highlighting, links that are http(s) only.

Autoescape: Flask turns it on for .html/.htm/.xml/.xhtml/.svg templates; every template here is .html
(tests/test_web_app.py::test_autoescape_covers_every_template checks both). Nothing feed-derived is ever marked safe except through
`highlight`, which escapes every part itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from monitor.timefmt import fmt_date, fmt_datetime, fmt_decimal
from monitor.vocab import label


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None (a javascript: or data: link is never rendered)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def highlight(snippet: str) -> Markup:
    """A mention snippet with the match (written between « and ») in <mark>, every part escaped."""
    out: list[str] = []
    rest = snippet
    while "«" in rest and "»" in rest.split("«", 1)[1]:
        before, after = rest.split("«", 1)
        inside, rest = after.split("»", 1)
        out.append(str(escape(before)))
        out.append(f"<mark>{escape(inside)}</mark>")
    out.append(str(escape(rest)))
    return Markup("".join(out))


# The top navigation: (endpoint, Vietnamese text, roles that see it or None = everyone). An entry shows
# only when its blueprint is registered, so an area adds itself by adding its blueprint and a line here.
NAV = (
    ("queue.index", "Hàng đợi", None),
    ("search.index", "Tìm kiếm", None),
    ("dashboard.index", "Tổng quan", None),
    ("admin.users", "Quản trị", ("admin",)),
)


def nav_links() -> list[tuple[str, str]]:
    """The navigation entries the logged-in user may see."""
    from flask import current_app
    from flask_login import current_user

    role = getattr(current_user, "role", None)
    return [
        (endpoint, text)
        for endpoint, text, roles in NAV
        if endpoint in current_app.view_functions and (roles is None or role in roles)
    ]


def after(later: datetime, earlier: datetime) -> str:
    """How long after `earlier` (Vietnamese, coarse): "+2 giờ 15 phút", "+3 ngày"."""
    minutes = int((later - earlier).total_seconds() // 60)
    if minutes <= 0:
        return "đầu tiên"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"+{days} ngày" + (f" {hours} giờ" if hours else "")
    return f"+{hours} giờ {mins} phút" if hours else f"+{mins} phút"


def csrf_field() -> Markup:
    """The hidden CSRF input every POST form carries."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">')


def install(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters.update(
        after=after,
        when=fmt_datetime,
        day=fmt_date,
        decimal=fmt_decimal,
        label=label,
        safe_url=safe_url,
        highlight=highlight,
    )
    app.jinja_env.globals.update(csrf_field=csrf_field, label=label, nav_links=nav_links)

    @app.context_processor
    def _now() -> dict[str, Any]:
        return {"now": datetime.now(UTC)}
