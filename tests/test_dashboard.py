"""The dashboard view on a real database (SQLite and PostgreSQL): counts per Vietnam day by tone, topics,
outlets, open cases by state and age, overdue, source health, spikes; and its charts render."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_queue_support import DRUG_STORY, QUEUE_STORY, TRAFFIC_STORY, seed_article, seed_cases, seed_source

from monitor.charts import render_svg
from monitor.config_tables import QueueSettings
from monitor.queue.dashboard import build_dashboard, dashboard_charts
from monitor.store.tables import SourceRow

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 12:00 30/11/2026 in Vietnam
TARGETS = {"ca_kon_tum": "Công an tỉnh Kon Tum", "kon_tum": "Kon Tum"}


def _seed(db) -> None:
    with db.write() as s:
        kt = seed_source(s, "baokontum", "Báo Kon Tum")
        tt = seed_source(s, "tuoitre", "Tuổi Trẻ")
        # 23:30 29/11 in Vietnam is 16:30 UTC: it counts on the 29th, not the 30th
        seed_article(s, kt, *QUEUE_STORY, at=datetime(2026, 11, 29, 16, 30, tzinfo=UTC), tone="tieu_cuc")
        seed_article(s, tt, *QUEUE_STORY, at=datetime(2026, 11, 29, 17, 30, tzinfo=UTC), tone="tieu_cuc")
        seed_article(s, kt, *DRUG_STORY, at=NOW - timedelta(hours=2), tone="tich_cuc", topic="ma_tuy")
        seed_article(s, kt, *TRAFFIC_STORY, at=NOW - timedelta(days=3), tone="trung_tinh", topic="giao_thong")
        # not about the targets: never counted
        seed_article(s, tt, "Giá vàng hôm nay", "Giá vàng tăng.", at=NOW - timedelta(hours=1), targets=())
        # older than 30 days: outside the window
        seed_article(s, tt, *QUEUE_STORY, at=NOW - timedelta(days=40), tone="tieu_cuc")
        failing = s.get(SourceRow, tt)
        failing.consecutive_failures, failing.last_error = 2, "Máy chủ trả lỗi 503."
        failing.last_error_at = NOW - timedelta(minutes=20)
        off = seed_source(s, "cu", "Báo cũ")
        s.get(SourceRow, off).enabled = False
    seed_cases(db, 2, start=NOW - timedelta(hours=5))  # new, opened today
    seed_cases(db, 1, state="in_review", start=NOW - timedelta(days=4))  # past its 72 h deadline
    seed_cases(db, 1, state="closed", start=NOW - timedelta(days=2))


def test_dashboard_counts(db):
    _seed(db)
    d = build_dashboard(db, NOW, settings=QueueSettings(), targets=TARGETS)
    assert d.period == "01/11/2026 – 30/11/2026"
    assert len(d.articles) == 30 and d.articles[-1].day == "30/11/2026"
    by_day = {r.day: r for r in d.articles}
    # the seeded stories (each article of seed_cases also mentions the unit, tone tieu_cuc)
    assert by_day["29/11/2026"].counts == (1, 0, 0)
    assert by_day["30/11/2026"].counts == (1 + 2, 0, 1)  # 00:30 30/11 local + two cases' articles; drug story
    assert by_day["27/11/2026"].counts[1] == 1  # the traffic story
    assert sum(r.total for r in d.articles) == 4 + 4  # four seeded here, one per case (closed too)
    flagged = {r.day: r.total for r in d.flagged if r.total}
    assert flagged == {"26/11/2026": 1, "28/11/2026": 1, "30/11/2026": 2}
    assert d.topics[0].label == "Thủ tục hành chính, dịch vụ công" and d.topics[0].count == 6
    assert {t.label for t in d.topics} >= {"Ma túy", "Giao thông"}
    # one line per outlet name: the three "Báo Mới" sources of seed_cases (2 + 1 + 1 articles) are one outlet
    assert [(o.name, o.count, o.critical) for o in d.outlets] == [
        ("Báo Mới", 4, 4),
        ("Báo Kon Tum", 3, 1),
        ("Tuổi Trẻ", 1, 1),
    ]
    assert [(s.state, s.by_age, s.overdue) for s in d.open_cases] == [
        ("mới", (2, 0, 0, 0), 0),
        ("đang xác minh", (0, 0, 1, 0), 1),
    ]
    assert d.overdue == 1 and d.open_total == 3
    assert (d.sources_ok, d.sources_disabled) >= (1, 1)
    [bad] = d.failing_sources
    assert bad.name == "Tuổi Trẻ" and bad.status.startswith("Đang lỗi") and "503" in bad.last_error
    assert [s.name for s in d.spikes] == ["Công an tỉnh Kon Tum", "Kon Tum"]
    # last 24 h: 5 articles on the unit against 3 in the 7 days before (0.4 a day): a spike
    assert (d.spikes[0].recent, d.spikes[0].expected, d.spikes[0].spike) == (5, 0.4, True)
    assert (d.spikes[1].recent, d.spikes[1].spike) == (0, False)


def test_an_outlet_read_through_several_sources_is_one_line(db):
    with db.write() as s:
        first = seed_source(s, "baomoi-phapluat", "Báo Mới")
        second = seed_source(s, "baomoi-xahoi", "Báo Mới")
        other = seed_source(s, "dantri", "Dân trí")
        for src, story, at in (
            (first, QUEUE_STORY, NOW - timedelta(hours=1)),
            (second, DRUG_STORY, NOW - timedelta(hours=2)),
            (second, TRAFFIC_STORY, NOW - timedelta(hours=3)),
            (other, QUEUE_STORY, NOW - timedelta(hours=4)),
            (other, DRUG_STORY, NOW - timedelta(hours=5)),
        ):
            seed_article(s, src, *story, at=at, tone="tieu_cuc" if story is QUEUE_STORY else "trung_tinh")
    d = build_dashboard(db, NOW, settings=QueueSettings(), targets=TARGETS)
    assert [(o.name, o.count, o.critical) for o in d.outlets] == [("Báo Mới", 3, 1), ("Dân trí", 2, 1)]
    assert dashboard_charts(d)["outlets"].categories == ("Báo Mới", "Dân trí")  # one bar each


def test_dashboard_charts_render(db):
    _seed(db)
    d = build_dashboard(db, NOW, settings=QueueSettings(), targets=TARGETS)
    charts = dashboard_charts(d)
    assert list(charts) == ["articles", "flagged", "topics", "outlets", "cases"]
    assert charts["articles"].categories[-1] == "30/11"
    assert [s.name for s in charts["articles"].series] == ["tiêu cực", "trung tính", "tích cực"]
    svg = render_svg(charts["cases"], id_prefix="cases")
    assert "đang xác minh" in svg and "từ 7 ngày" in svg


def test_an_empty_database_still_has_a_dashboard(db):
    d = build_dashboard(db, NOW, settings=QueueSettings(), targets=TARGETS)
    assert sum(r.total for r in d.articles) == 0 and d.open_cases == () and d.overdue == 0
    assert "Chưa có số liệu" in render_svg(dashboard_charts(d)["topics"])
