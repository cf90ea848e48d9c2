"""Golden files: the full ParsedFeed of each fixture feed, so any change in output is seen in review.

Regenerate after an intended change with `MONITOR_UPDATE_GOLDEN=1 python -m pytest tests/test_parse_golden.py`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from monitor.parse import ParsedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
FEEDS = ["rss20_kontum.xml", "atom_kontum.xml", "rss10_rdf.xml", "rss091.xml", "malformed.xml"]


def as_json(feed: ParsedFeed) -> str:
    data = dataclasses.asdict(feed)
    for item in data["items"]:
        item["published_at"] = item["published_at"].isoformat() if item["published_at"] else None
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("name", FEEDS)
def test_golden(name: str) -> None:
    got = as_json(parse_feed((FIXTURES / name).read_bytes(), {}, "https://baomau.example.vn/rss/x.rss"))
    golden = FIXTURES / (name.rsplit(".", 1)[0] + ".golden.json")
    if os.environ.get("MONITOR_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")
