"""Lay a `Digest` out as HTML (CSS inlined, tables only, no script, no remote image) and as plain text.

Jinja2 and css-inline are imported here and nowhere else. Autoescaping is on for the HTML template:
a title like `<script>` arrives in the mail as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from monitor.digest.content import Digest

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class Rendered:
    """Both parts of a digest mail."""

    subject: str
    html: str
    text: str


@lru_cache(maxsize=2)
def _env(autoescape: bool) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("monitor.digest", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render(digest: Digest, chart_cid: str | None = None) -> Rendered:
    """The HTML (with `cid:` chart when given) and the plain-text part of `digest`."""
    import css_inline

    html = _env(True).get_template("digest.html").render(d=digest, chart_cid=chart_cid)
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    text = _env(False).get_template("digest.txt").render(d=digest)
    return Rendered(digest.subject, inliner.inline(html), _tidy(text))


def _tidy(text: str) -> str:
    """At most one blank line in a row; no trailing spaces."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
