"""`monitor response`: a reporter and a leader take a correction request from draft to publication in
the terminal; bad input gets one Vietnamese sentence and an exit code."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from test_queue_support import QUEUE_STORY, seed_article, seed_source
from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import TransitionError
from monitor.queue.settings import QueueSettings
from monitor.queue.stage import run_queue_stage
from monitor.store.db import Database

CONFIG = """
[letters]
department = "Phòng Tham mưu"
symbol = "CAT-PTM"

[[source]]
key = "baokontum"
name = "Báo Kon Tum"
url = "https://baokontum.vn/rss"
contact = "toasoan@baokontum.vn"

[[watch]]
key = "ca-kon-tum"
kind = "unit"
name = "Công an tỉnh Kon Tum"
"""


@pytest.fixture
def cli(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    config = tmp_path / "sources.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    monkeypatch.delenv("MONITOR_USER", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), catch_exceptions=True, input=stdin)

    db = Database(url)
    db.migrate()
    now = datetime.now(UTC)
    with db.write() as s:
        src = seed_source(s, "baokontum", "Báo Kon Tum")
        aid = seed_article(s, src, *QUEUE_STORY, at=now - timedelta(hours=3))
    run_queue_stage(db, [aid], QueueSettings(), now - timedelta(hours=2))
    db.dispose()
    for user, role, name in (
        ("ctv1", "collaborator", "Nguyễn Văn An"),
        ("bcv", "reporter", "Lê Văn Cường"),
        ("ld", "leader", "Phạm Minh Đức"),
    ):
        assert run("users", "add", user, "--role", role, "--name", name).exit_code == 0
    assert run("case", "1", "claim", "--as", "ctv1").exit_code == 0
    verdict = run(
        "case", "1", "verify", "--verdict", "false", "--note", "Không có việc xếp hàng từ 4 giờ sáng.",
        "--evidence", "https://congan.kontum.gov.vn/xac-minh", "--as", "ctv1",
    )  # fmt: skip
    assert verdict.exit_code == 0, verdict.output
    return run


def test_correction_request_from_draft_to_publication(cli, tmp_path):
    out = cli("response", "1", "--as", "bcv")
    assert out.exit_code == 0 and "Chưa có phản hồi" in out.output
    drafted = cli("response", "1", "draft", "--kind", "cải chính", "--outlet", "baokontum", "--as", "bcv")
    assert drafted.exit_code == 0, drafted.output
    assert "đã lưu bản 1" in drafted.output
    assert cli("response", "1", "submit", "--as", "bcv").exit_code == 0
    returned = cli("response", "1", "return", "--note", "Rút gọn đoạn thứ hai.", "--as", "ld")
    assert returned.exit_code == 0 and "trả lại bản 1" in returned.output
    redraft = cli(
        "response", "1", "draft", "--kind", "correction_request", "--outlet", "baokontum",
        "--title", "Đề nghị cải chính thông tin", "--body", "-", "--as", "bcv",
        stdin="Ngày 27/11, Báo Kon Tum đăng bài viết …\n\nĐề nghị Báo Kon Tum cải chính.\n",
    )  # fmt: skip
    assert redraft.exit_code == 0 and "đã lưu bản 2" in redraft.output
    assert cli("response", "1", "submit", "--as", "bcv").exit_code == 0
    stale = cli("response", "1", "approve", "--response-version", "1", "--as", "ld")
    assert isinstance(stale.exception, TransitionError) and "bản 2" in stale.exception.message
    assert cli("response", "1", "approve", "--response-version", "2", "--as", "ld").exit_code == 0
    at = (datetime.now(UTC) - timedelta(minutes=5)).astimezone().strftime("%H:%M %d/%m/%Y")
    published = cli(
        "response", "1", "publish", "--channel", "Báo Kon Tum", "--url", "https://baokontum.vn/cai-chinh",
        "--at", at, "--as", "bcv",
    )  # fmt: skip
    assert published.exit_code == 0, published.output

    view = cli("response", "1", "--as", "ld")
    for words in (
        "Đề nghị cải chính thông tin",
        "đề nghị cải chính gửi cơ quan báo chí",
        "Báo Kon Tum",
        "đã đăng trên Báo Kon Tum",
        "Rút gọn đoạn thứ hai.",
        "Các bản đã lưu",
    ):
        assert words in view.output, words
    case = cli("case", "1")
    assert "Phản hồi báo chí" in case.output and "https://baokontum.vn/cai-chinh" in case.output

    target = tmp_path / "cai-chinh.docx"
    saved = cli("response", "1", "export", "--output", str(target), "--as", "ld")
    assert saved.exit_code == 0, saved.output
    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert "Kính gửi: Ban Biên tập Báo Kon Tum." in paragraphs


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("response", "1", "draft", "--kind", "thu_tay", "--title", "A", "--body", "B"), "Loại phản hồi"),
        (("response", "1", "draft", "--kind", "thong_cao", "--title", "A"), "--body"),
        (("response", "1", "draft", "--title", "A", "--body", "B"), "--kind"),
        (
            ("response", "1", "draft", "--kind", "thong_cao", "--title", "A", "--body-file", "/nope.txt"),
            "Không tìm",
        ),
        (("response", "1", "submit"), "Chưa có bản thảo"),
        (("response", "1", "publish", "--channel", "Báo", "--url", "x", "--at", "hôm qua"), "HH:MM"),
        (("response", "1", "export", "--output", "a.pdf"), ".docx"),
        (("response", "1", "shout"), "không hợp lệ"),
        (("response", "99", "draft", "--kind", "thong_cao", "--title", "A", "--body", "B"), "#99"),
        (("case", "1", "draft"), "monitor response 1 draft"),
    ],
)
def test_bad_input_is_one_vietnamese_sentence(cli, args, words):
    out = cli(*args, "--as", "bcv")
    assert out.exit_code != 0
    assert words in out.exception.message
