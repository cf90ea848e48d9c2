"""Charts drawn once with matplotlib, rendered as SVG (the web dashboard) or PNG (the digest e-mail).

The only module that imports matplotlib, and only when a chart is rendered (importing this module
does no work). It uses the object API (`Figure`, the Agg canvas) — never pyplot's global state — so
it is headless and safe in a threaded web server.

Output is deterministic, so tests can compare it: a fixed font (DejaVu Sans, bundled with matplotlib
and complete for Vietnamese), no date or creator metadata, `svg.hashsalt` fixed.

The SVG is CSP-clean: no script, no event handler, no `<style>` element and no `style=` attribute
(a strict `style-src` refuses both when the SVG is inlined); every style becomes an SVG
presentation attribute, which CSP does not govern. It carries `role="img"`, `<title>` and
`<desc>` for screen readers; the page shows the same numbers in a table.
"""

from __future__ import annotations

import functools
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FONT = "DejaVu Sans"
FONT_STACK = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#263238"
GRID = "#e0e0e0"

# CSS properties matplotlib writes into style="…" that are also SVG presentation attributes.
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "clip-path",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "letter-spacing",
    "white-space",
}


@dataclass(frozen=True)
class Series:
    """One coloured series of values, one value per category."""

    name: str
    values: tuple[float, ...]
    color: str


@dataclass(frozen=True)
class Chart:
    """What to draw: categories along one axis, one or more stacked series of counts."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["columns", "bars"] = "columns"  # columns: vertical, stacked; bars: horizontal, stacked
    value_label: str = "Số lượng"
    description: str = ""  # one sentence for screen readers (<desc>)
    width: int = 760  # pixels at 100 dpi
    height: int = 300


def _short(label: str, limit: int = 32) -> str:
    """A category label short enough for an axis (the page's table has it whole)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _figure(chart: Chart) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(chart.width / 100, chart.height / 100), dpi=100)
    # Fixed margins from the label lengths: constrained layout costs a third of the render.
    names = tuple(_short(c) for c in chart.categories)
    longest = max((len(c) for c in names), default=0) if chart.kind == "bars" else 4
    left = min(0.5, (20 + 6.4 * longest + 16) / chart.width)
    right = 1 - (130 / chart.width if len(chart.series) > 1 else 40 / chart.width)
    fig.subplots_adjust(left=left, right=right, top=1 - 34 / chart.height, bottom=42 / chart.height)
    ax = fig.add_subplot()
    n = len(chart.categories)
    positions = list(range(n))
    base = [0.0] * n
    for s in chart.series:
        if chart.kind == "bars":
            ax.barh(positions, s.values, left=base, color=s.color, label=s.name, height=0.7)
        else:
            ax.bar(positions, s.values, bottom=base, color=s.color, label=s.name, width=0.8)
        base = [b + v for b, v in zip(base, s.values)]
    fig.text(0.01, 1 - 8 / chart.height, chart.title, va="top", fontsize=12, color=INK, fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9e9e9e")
    ax.tick_params(colors=INK, labelsize=9)
    if chart.kind == "bars":
        ax.set_yticks(positions, list(names))
        ax.invert_yaxis()  # the biggest first, as in the table
        ax.set_xlabel(chart.value_label, color=INK, fontsize=9)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        for i, total in enumerate(base):
            ax.text(total, i, f" {total:g}", va="center", fontsize=8, color=INK)
    else:
        step = max(1, (n + 9) // 10)  # at most ~10 labels under 30 days of columns
        ax.set_xticks(positions[::step], list(names)[::step])
        ax.set_ylabel(chart.value_label, color=INK, fontsize=9)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.set_xlim(-0.6, n - 0.4)
    ax.set_axisbelow(True)
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if chart.kind == "bars" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    if not any(base):
        ax.text(0.5, 0.5, "Chưa có số liệu", transform=ax.transAxes, ha="center", color="#757575")
        ax.set_ylim(0, 1) if chart.kind == "columns" else ax.set_xlim(0, 1)
    if len(chart.series) > 1:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0), labelcolor=INK)
    return fig


def _style() -> Any:
    """matplotlib settings for one render (a context manager; the global defaults stay untouched)."""
    import matplotlib

    return matplotlib.rc_context(
        {
            "svg.hashsalt": "monitor",
            "svg.fonttype": "none",  # text stays text: small, selectable, read by screen readers
            "font.family": FONT,
            "font.size": 9,
            "axes.unicode_minus": False,
        }
    )


@functools.lru_cache(maxsize=64)
def render_png(chart: Chart, dpi: int = 100) -> bytes:
    """The chart as PNG bytes (for e-mail: no fonts needed on the reader's side)."""
    with _style():
        fig = _figure(chart)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return out.getvalue()


@functools.lru_cache(maxsize=64)  # a chart is a frozen value: the same numbers are drawn once
def render_svg(chart: Chart, id_prefix: str = "chart") -> str:
    """The chart as a standalone, CSP-clean SVG document (a string); every id starts with `id_prefix`,
    so several charts inlined in one page never share an id."""
    with _style():
        fig = _figure(chart)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _csp_clean(out.getvalue().decode("utf-8"), chart, id_prefix)


def _q(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def _csp_clean(svg: str, chart: Chart, id_prefix: str) -> str:
    """Styles → presentation attributes; no <style>, no metadata; a title and description for readers."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", svg))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (_q("style"), _q("metadata"), _q("script")):
                parent.remove(child)
    for el in root.iter():
        style = el.attrib.pop("style", None)
        if style:
            for decl in style.split(";"):
                name, _, value = decl.partition(":")
                name, value = name.strip(), value.strip()
                if name == "font":  # matplotlib's shorthand: "[weight] 9px 'DejaVu Sans'"
                    m = re.match(r"(?:(\w+)\s+)?([\d.]+px)\s+(.+)", value)
                    if m:
                        if m.group(1):
                            el.set("font-weight", m.group(1))
                        el.set("font-size", m.group(2))
                        el.set("font-family", FONT_STACK)
                elif name == "font-family":
                    el.set(name, FONT_STACK)
                elif name in _PRESENTATION:
                    el.set(name, value)
        for attr in list(el.attrib):
            if attr.lower().startswith("on"):  # never emitted by matplotlib; refused all the same
                del el.attrib[attr]
        if "id" in el.attrib:
            el.set("id", f"{id_prefix}-{el.get('id')}")
        href = f"{{{XLINK_NS}}}href"
        if el.get(href, "").startswith("#"):
            el.set(href, f"#{id_prefix}-{el.get(href, '')[1:]}")
        clip = el.get("clip-path", "")
        if clip.startswith("url(#"):
            el.set("clip-path", f"url(#{id_prefix}-{clip[5:]}")
    # what the <style> element said: rounded joins for every stroke
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("role", "img")
    root.set("aria-label", chart.title)
    title = ET.Element(_q("title"))
    title.text = chart.title
    desc = ET.Element(_q("desc"))
    desc.text = chart.description or chart.title
    root.insert(0, desc)
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode")
