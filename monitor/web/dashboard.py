"""The leaders' dashboard: charts drawn on the server as CSP-clean SVG, each with its numbers in a table.

The counts, labels and chart specifications come from `queue.dashboard`; the SVG from `monitor.charts`
(no script, no style attribute: the page's strict CSP holds). Charts of the same numbers are drawn once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from monitor.charts import render_svg
from monitor.queue.dashboard import AGE_LABELS, Dashboard, build_dashboard, dashboard_charts
from monitor.vocab import TONES, label
from monitor.web.security import ctx

log = logging.getLogger(__name__)
bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


class _Recent:
    """The last dashboard and its charts, shared by every viewer of this web process.

    The first view computes them; afterwards a view older than the settings allow is still shown at once
    (its "cập nhật lúc" says when it was computed) while one background thread computes the next.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first = threading.Lock()
        self._value: tuple[float, Dashboard, dict[str, Markup]] | None = None
        self._refreshing = False

    def get(
        self, compute: Callable[[], tuple[Dashboard, dict[str, Markup]]], max_age: float
    ) -> tuple[Dashboard, dict[str, Markup]]:
        if self._value is None:
            with self._first:  # viewers arriving during the first computation wait for it
                if self._value is None:
                    self._value = (time.monotonic(), *compute())
        with self._lock:
            at, d, charts = self._value
            if time.monotonic() - at >= max_age and not self._refreshing:
                if max_age <= 0:  # no sharing wanted: compute now
                    self._value = (time.monotonic(), *compute())
                    return self._value[1], self._value[2]
                self._refreshing = True
                threading.Thread(target=self._refresh, args=(compute,), daemon=True).start()
            return d, charts

    def _refresh(self, compute: Callable[[], tuple[Dashboard, dict[str, Markup]]]) -> None:
        try:
            value = (time.monotonic(), *compute())
            with self._lock:
                self._value = value
        except Exception:  # the old figures stay; the next view tries again
            log.exception("dashboard refresh failed")
        finally:
            with self._lock:
                self._refreshing = False


def _compute() -> tuple[Dashboard, dict[str, Markup]]:
    config = ctx().config
    targets = {w.key: w.name for w in config.watches}
    d = build_dashboard(ctx().db, datetime.now(UTC), settings=config.queue, targets=targets)
    # render_svg escapes every label itself and emits no script or style: safe to inline
    charts = {name: Markup(render_svg(chart, id_prefix=name)) for name, chart in dashboard_charts(d).items()}
    return d, charts


@bp.route("", endpoint="index")
def index() -> Any:
    """Articles and flagged stories per day by tone, topics, outlets, open cases, sources, spikes."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def compute() -> tuple[Dashboard, dict[str, Markup]]:
        with app.app_context():  # also when called from the refreshing thread
            return _compute()

    recent = app.extensions.setdefault("monitor_dashboard", _Recent())
    d, charts = recent.get(compute, ctx().settings.dashboard_seconds)
    return render_template(
        "dashboard/index.html",
        d=d,
        charts=charts,
        tones=[label(t) for t in TONES],
        ages=AGE_LABELS,
    )
