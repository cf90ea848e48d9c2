"""`monitor queue`, `monitor case`, `monitor users`: thin commands over the store and the workflow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT
from rich.console import Console
from test_queue_support import NOW, QUEUE_STORY, seed_article, seed_source
from typer.testing import CliRunner

from monitor.cli import app
from monitor.cli.queue import format_queue, when
from monitor.config_tables import QueueSettings
from monitor.errors import ClaimConflictError, StaleVersionError, TransitionError
from monitor.pipeline.queue import run_queue_stage
from monitor.queue.views import QueuePage, queue_line
from monitor.store.cases import QueueItem
from monitor.store.db import Database


@pytest.fixture
def cli(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG", str(ROOT / "sources.toml"))  # names the target ca-kon-tum
    monkeypatch.delenv("MONITOR_USER", raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps long URLs at 80 columns
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=True)

    db = Database(url)
    db.migrate()
    now = datetime.now(UTC)
    with db.write() as s:
        src = seed_source(s, "baokontum", "Báo Kon Tum")
        aid = seed_article(s, src, *QUEUE_STORY, at=now - timedelta(hours=1), targets=("ca-kon-tum",))
    run_queue_stage(db, [aid], QueueSettings(), now)
    db.dispose()
    assert run("users", "add", "ctv1", "--role", "collaborator", "--name", "Nguyễn Văn An").exit_code == 0
    assert run("users", "add", "ctv2", "--role", "collaborator", "--name", "Trần Thị Bình").exit_code == 0
    return run


def test_triage_from_the_terminal(cli, monkeypatch):
    listing = cli("queue", "--json")
    assert listing.exit_code == 0, listing.output
    [item] = json.loads(listing.output)
    assert (
        item["status"] == "new" and item["title"] == QUEUE_STORY[0] and item["deadline_at"].endswith("+07:00")
    )
    assert cli("case", "1", "claim", "--as", "ctv1").exit_code == 0
    refused = cli("case", "1", "claim", "--as", "ctv2")
    assert isinstance(refused.exception, ClaimConflictError)
    assert "Nguyễn Văn An (ctv1)" in refused.exception.message
    monkeypatch.setenv("MONITOR_USER", "ctv1")
    mine = json.loads(cli("queue", "--mine", "--json").output)
    assert [m["assignee"] for m in mine] == ["ctv1"]
    done = cli(
        "case",
        "1",
        "verify",
        "--verdict",
        "false",
        "--note",
        "Đã kiểm tra tại điểm cấp căn cước",
        "--evidence",
        "https://congan.kontum.gov.vn/a",
        "--evidence",
        "https://congan.kontum.gov.vn/b",
    )
    assert done.exit_code == 0 and "cần phản hồi" in done.output
    view = cli("case", "1")
    assert view.exit_code == 0
    for words in ("Vụ việc #1", "Báo Kon Tum", "Lịch sử", "https://congan.kontum.gov.vn/b", "sai sự thật"):
        assert words in view.output
    assert cli("users", "list").output.count("cộng tác viên dư luận") == 2


def test_leader_priority_and_stale_version_from_the_cli(cli):
    assert cli("users", "add", "ld", "--role", "leader", "--name", "Phạm Minh Đức").exit_code == 0
    assert cli("case", "1", "priority", "--priority", "critical", "--as", "ld").exit_code == 0
    assert json.loads(cli("queue", "--priority", "critical", "--json").output)[0]["priority"] == "critical"
    stale = cli("case", "1", "claim", "--as", "ctv1", "--expect-version", "1")
    assert isinstance(stale.exception, StaleVersionError) and "phiên bản 2" in stale.exception.message
    wrong = cli("queue", "--status", "dang_lam")
    assert isinstance(wrong.exception, TransitionError) and "dang_lam" in wrong.exception.message


def test_queue_table_marks_overdue_in_red():
    item = QueueItem(
        7,
        "critical",
        NOW - timedelta(hours=1),
        "Tin đồn về cán bộ",
        3,
        "tieu_cuc",
        "tham_nhung",
        "new",
        None,
        None,
    )
    console = Console(record=True, width=200)
    console.print(format_queue(_page(item, NOW)))
    text = console.export_text()
    assert "quá hạn" in text and "khẩn cấp" in text and when(item.deadline_at) == "09:00 27/11/2026"
    table = format_queue(_page(item, NOW))
    deadline_cell = next(iter(table.columns[2].cells))
    assert deadline_cell.style == "bold red"
    assert next(iter(format_queue(_page(item, NOW - timedelta(hours=2))).columns[2].cells)).style == ""


def _page(item: QueueItem, now: datetime) -> QueuePage:
    return QueuePage((queue_line(item, now),), page=1, limit=50, total=1)


def test_vietnamese_words_in_and_no_internal_ids_out(cli):
    assert cli("case", "1", "nhận", "--as", "ctv1").exit_code == 0
    listing = cli("queue", "--status", "đang xác minh", "--tone", "tiêu cực", "--as", "ctv1")
    assert listing.exit_code == 0 and "Người dân xếp hàng" in listing.output, listing.output
    assert "Nguyễn Văn An" in listing.output and "Thủ tục hành chính" in listing.output
    assert "Người dân xếp hàng" not in cli("queue", "--status", "mới").output
    done = cli(
        "case",
        "1",
        "kết luận",
        "--verdict",
        "sai",
        "--as",
        "ctv1",
        "--note",
        "Đã kiểm tra",
        "--evidence",
        "https://congan.kontum.gov.vn/xac-minh",
    )
    assert done.exit_code == 0 and "cần phản hồi" in done.output, done.output
    view = cli("case", "1")
    assert "nhận xác minh" in view.output and "kết luận xác minh" in view.output
    assert "Chủ đề: Thủ tục hành chính, dịch vụ công" in view.output
    shown = view.output.replace("từ khóa chủ đề dich_vu_cong", "") + listing.output  # the seeded reason text
    assert "[Công an tỉnh Kon Tum] …Công an tỉnh Kon Tum…" in view.output
    for internal in (
        "dich_vu_cong",
        "tieu_cuc",
        "in_review",
        "verified_false",
        " claim ",
        " verify ",
        "[ca-",
    ):
        assert internal not in shown, internal


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["case", "1", "duyet-het", "--as", "ctv1"], ["duyet-het", "nhận xác minh"]),
        (["case", "1", "kết luận", "--verdict", "có lẽ", "--as", "ctv1"], ["có lẽ", "sai sự thật"]),
        (["queue", "--priority", "gấp"], ["gấp", "khẩn cấp"]),
        (["queue", "--from", "hôm qua"], ["hôm qua", "dd/mm/yyyy"]),
    ],
)
def test_bad_words_get_one_vietnamese_sentence(cli, args, words):
    result = cli(*args)
    assert isinstance(result.exception, TransitionError)
    assert all(w in result.exception.message for w in words), result.exception.message


def test_a_refused_action_at_the_terminal_is_on_the_audit_record(cli, tmp_path):
    """Every action is authorised on the server and on the record: the CLI audits refusals like the web."""
    from monitor.errors import PermissionDeniedError
    from monitor.store import audit

    refused = cli("case", "1", "ưu tiên", "--priority", "khẩn cấp", "--as", "ctv1")
    assert isinstance(refused.exception, PermissionDeniedError)
    assert refused.exception.message and refused.exception.audited
    not_reporter = cli(
        "response",
        "1",
        "draft",
        "--kind",
        "press_statement",
        "--title",
        "Thông cáo",
        "--body",
        "Nội dung.",
        "--as",
        "ctv2",
    )
    assert isinstance(not_reporter.exception, PermissionDeniedError)
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.read() as s:
        lines = [e for e in audit.recent(s) if e.outcome == audit.REFUSED]
    db.dispose()
    assert [(e.actor, e.client_addr) for e in lines] == [("ctv2", "cli"), ("ctv1", "cli")]
    assert lines[1].object == "case 1" and lines[1].detail == refused.exception.message
