"""`monitor export`: one record per article with the documented fields, JSONL and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from monitor.cli.export import FIELDS, format_record, write_csv, write_jsonl
from monitor.store.db import Database
from monitor.store.export import export_batches
from monitor.store.tables import ArticleRow, SourceRow

NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


def _seed(db: Database) -> None:
    with db.write() as s:
        src = SourceRow(
            key="baokontum",
            name="Báo Kon Tum",
            url="https://baokontum.com.vn/rss/home.rss",
            kind="rss",
            created_at=NOW,
        )
        s.add(src)
        s.flush()
        s.add(
            ArticleRow(
                source_id=src.id,
                item_key="g1",
                url="https://baokontum.com.vn/a.html?utm_source=rss",
                canonical_url="https://baokontum.com.vn/a.html",
                content_hash="h",
                title="Tin Kon Tum",
                summary="Tóm tắt",
                text="",
                published_at=NOW,
                fetched_at=NOW,
                updated_at=NOW,
            )
        )


def test_export_records_have_every_field_and_local_dates(db: Database) -> None:
    _seed(db)
    with db.read() as s:
        records = [format_record(r) for batch in export_batches(s, None) for r in batch]
    assert len(records) == 1
    rec = records[0]
    assert tuple(rec) == FIELDS
    assert rec["published_at"] == "2026-11-26T08:30:00+07:00"
    assert rec["source"] == "baokontum" and rec["text"] == "Tóm tắt"
    assert rec["topic"] is None and rec["mentions"] is None and rec["story_id"] is None


def test_jsonl_and_csv_writers_round_trip(db: Database) -> None:
    _seed(db)
    with db.read() as s:
        records = [format_record(r) for batch in export_batches(s, None) for r in batch]
    buf = io.StringIO()
    assert write_jsonl(records, buf) == 1
    assert json.loads(buf.getvalue())["title"] == "Tin Kon Tum"
    buf = io.StringIO()
    assert write_csv(records, buf) == 1
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows[0]["canonical_url"] == "https://baokontum.com.vn/a.html"
    assert set(rows[0]) == set(FIELDS)


def test_since_filters_by_fetch_time(db: Database) -> None:
    _seed(db)
    with db.read() as s:
        later = [r for batch in export_batches(s, datetime(2026, 11, 27, tzinfo=UTC)) for r in batch]
    assert later == []
