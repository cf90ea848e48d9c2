"""Charts: deterministic SVG and PNG, CSP-clean SVG (no script, no style), Vietnamese text kept as text,
ids unique per chart, hostile labels escaped, and importing the module does no work."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

from monitor.charts import Chart, Series, render_png, render_svg

DAYS = tuple(f"{d:02d}/11" for d in range(1, 31))
TONES = (
    Series("tiêu cực", tuple(float(i % 5) for i in range(30)), "#d7301f"),
    Series("trung tính", tuple(float(i % 7) for i in range(30)), "#9e9e9e"),
    Series("tích cực", tuple(float(i % 3) for i in range(30)), "#2b7bba"),
)
COLUMNS = Chart("Bài viết theo ngày và sắc thái", DAYS, TONES, description="30 ngày")
BARS = Chart(
    "Báo đăng nhiều nhất",
    ("Báo Kon Tum", "Tuổi Trẻ", "<script>alert(1)</script>"),
    (Series("bài viết", (12.0, 7.0, 1.0), "#546e7a"),),
    kind="bars",
)
NS = {"s": "http://www.w3.org/2000/svg"}


def test_same_chart_same_bytes():
    assert render_svg(COLUMNS) == render_svg(COLUMNS)
    assert render_png(BARS) == render_png(BARS)


def test_svg_is_csp_clean_and_accessible():
    for chart in (COLUMNS, BARS):
        svg = render_svg(chart)
        assert "<script" not in svg and "<style" not in svg and "style=" not in svg
        assert not re.search(r"\son\w+\s*=", svg)
        assert "javascript:" not in svg
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label") == chart.title
        assert root.find("s:title", NS).text == chart.title
        texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
        assert chart.categories[0] in texts  # text stays text: Vietnamese readable and selectable
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render_svg(BARS)  # a hostile outlet name is text
    assert {"tiêu cực", "trung tính", "tích cực"} <= {
        t.text for t in ET.fromstring(render_svg(COLUMNS)).iter("{http://www.w3.org/2000/svg}text")
    }


def test_ids_are_prefixed_and_every_reference_resolves():
    a, b = render_svg(COLUMNS, id_prefix="articles"), render_svg(BARS, id_prefix="outlets")
    ids_a, ids_b = set(re.findall(r' id="([^"]+)"', a)), set(re.findall(r' id="([^"]+)"', b))
    assert ids_a and all(i.startswith("articles-") for i in ids_a)
    assert not ids_a & ids_b  # two charts inlined in one page never share an id
    refs = set(re.findall(r'href="#([^"]+)"', a)) | set(re.findall(r"url\(#([^)]+)\)", a))
    assert refs and refs <= ids_a


def test_png_is_the_requested_size():
    png = render_png(COLUMNS)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (760, 300)
    assert b"Software" not in png  # no version stamp: the same chart is the same file


def test_an_empty_chart_says_so():
    empty = Chart("Chủ đề", (), (Series("bài viết", (), "#546e7a"),), kind="bars")
    assert "Chưa có số liệu" in render_svg(empty)


def test_importing_charts_does_no_work():
    code = "import sys, monitor.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
