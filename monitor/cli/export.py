"""`monitor export`: one record per article as JSON Lines or CSV, on stdout or into a file."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

import typer

from monitor.app import App
from monitor.store.export import export_batches
from monitor.timefmt import iso_local, parse_local_date

FIELDS = (
    "url",
    "canonical_url",
    "source",
    "title",
    "published_at",
    "fetched_at",
    "text",
    "mentions",
    "topic",
    "topic_score",
    "tone",
    "tone_score",
    "flagged",
    "flag_reasons",
    "story_id",
    "case_status",
)
JSON_FIELDS = ("mentions", "flag_reasons")


def format_record(raw: dict[str, Any]) -> dict[str, Any]:
    """An export record: the documented fields, dates as ISO 8601 with +07:00 (pure)."""
    rec = {f: raw.get(f) for f in FIELDS}
    rec["published_at"] = iso_local(raw.get("published_at"))
    rec["fetched_at"] = iso_local(raw.get("fetched_at"))
    return rec


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write records as JSON Lines; returns how many."""
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write records as CSV (lists and objects as JSON text in their cell); returns how many."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    n = 0
    for rec in records:
        row = {
            k: (json.dumps(v, ensure_ascii=False) if k in JSON_FIELDS and v is not None else v)
            for k, v in rec.items()
        }
        writer.writerow(row)
        n += 1
    return n


CSV_BOM = "\ufeff"  # Excel (what the board opens exports with) reads UTF-8 CSV as ANSI without it


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", "-f", help="Định dạng: jsonl hoặc csv."),
    since: str = typer.Option(None, "--since", help="Chỉ bài thu thập từ ngày này (dd/mm/yyyy)."),
    output: str = typer.Option(None, "--output", "-o", help="Ghi ra tệp thay vì màn hình."),
) -> None:
    """Xuất toàn bộ bài viết cùng kết quả phân tích (mỗi bài một bản ghi)."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("chỉ nhận jsonl hoặc csv.", param_hint="--format")
    try:
        since_dt = parse_local_date(since) if since else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from None
    obj: App = ctx.obj
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "csv":
            out.write(CSV_BOM)
        with obj.db.read() as session:
            records = (format_record(r) for batch in export_batches(session, since_dt) for r in batch)
            n = (write_jsonl if fmt == "jsonl" else write_csv)(records, out)
    finally:
        if output:
            out.close()
    if output:
        typer.echo(f"Đã xuất {n} bài viết vào {output}.", err=True)


def register(app: typer.Typer) -> None:
    """Add the `export` command."""
    app.command("export")(export)
