"""The leaders' dashboard: charts drawn on the server as CSP-clean SVG, each with its numbers in a table.

The counts, labels and chart specifications come from `queue.dashboard`; the SVG from `monitor.charts`
(no script, no style attribute: the page's strict CSP holds). Charts of the same numbers are drawn once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template
from markupsafe import Markup

from monitor.charts import render_svg
from monitor.queue.dashboard import AGE_LABELS, build_dashboard, dashboard_charts
from monitor.vocab import TONES, label
from monitor.web.security import ctx

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("", endpoint="index")
def index() -> Any:
    """Articles and flagged stories per day by tone, topics, outlets, open cases, sources, spikes."""
    config = ctx().config
    targets = {w.key: w.name for w in config.watches}
    d = build_dashboard(ctx().db, datetime.now(UTC), settings=config.queue, targets=targets)
    # render_svg escapes every label itself and emits no script or style: safe to inline
    charts = {name: Markup(render_svg(chart, id_prefix=name)) for name, chart in dashboard_charts(d).items()}
    return render_template(
        "dashboard/index.html",
        d=d,
        charts=charts,
        tones=[label(t) for t in TONES],
        ages=AGE_LABELS,
    )
