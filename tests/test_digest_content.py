"""The daily digest's content and rendering: a known day against golden files, escaping, an empty day."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from digest_support import DAY, MALICIOUS, SEND_AT, digest_config, seed_known_day

from monitor.config import parse_config
from monitor.digest.content import decimal, late_by, safe_url, subject_for
from monitor.digest.render import render
from monitor.digest.service import build, due_day
from monitor.errors import ConfigError
from monitor.store.db import Database

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[1]


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 rewrites it)"


def test_known_day_matches_golden_files(db: Database) -> None:
    seed_known_day(db)
    rendered = render(build(db, digest_config(), DAY, SEND_AT))
    _check_golden("digest_2026-11-30.html", rendered.html)
    _check_golden("digest_2026-11-30.txt", rendered.text)
    assert rendered.subject == "Bản tin dư luận ngày 30/11/2026"


def test_both_parts_tell_the_same_facts(db: Database) -> None:
    seed_known_day(db)
    digest = build(db, digest_config(), DAY, SEND_AT)
    r = render(digest)
    assert digest.stories[0].overdue == "quá hạn 1 ngày 18 giờ"  # overdue first
    for story in digest.stories:
        assert story.deadline in r.text and story.deadline in r.html
        assert story.assignee in r.text and story.assignee in r.html
    for line in (*digest.board, *digest.positive, *digest.sources):
        assert line.title.split()[0] in r.text and line.title.split()[0] in r.html
    for f in digest.figures:
        assert f"{f.label}: {f.value} | {f.change} | {f.average_text}" in r.text
    assert "https://congan.kontum.example/thong-cao/mang-den" in r.text
    assert 'href="https://congan.kontum.example/thong-cao/mang-den"' in r.html


def test_malicious_title_is_escaped_and_bad_links_dropped(db: Database) -> None:
    seed_known_day(db)
    r = render(build(db, digest_config(), DAY, SEND_AT))
    assert "<script" not in r.html and "&lt;script&gt;" in r.html
    assert "<b>Công an</b>" not in r.html
    assert "javascript:" not in r.html and "javascript:" not in r.text
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', r.html)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert "\r" not in r.text
    one_line_title = " ".join(MALICIOUS.split())
    assert one_line_title in r.text  # on one line in the text part: no header-like line
    assert not re.search(r"^Bcc:", r.text, re.M)
    assert "<img" not in r.html and "<svg" not in r.html and "data:" not in r.html


def test_empty_day_is_short_and_useful(db: Database) -> None:
    r = render(build(db, digest_config(), date(2026, 11, 30), SEND_AT))
    assert "Không có tin cần chú ý" in r.text and "Không có tin cần chú ý" in r.html
    assert "Mọi nguồn tin hoạt động bình thường." in r.text
    assert "Bài viết nhắc đến đơn vị (theo ngày đăng): 0 | 0 | 0" in r.text


def test_reader_with_unit_only_sees_unit_figures(db: Database) -> None:
    seed_known_day(db)
    d = build(db, digest_config(), DAY, SEND_AT, only=("ca-kon-tum",))
    assert d.scope == "Công an tỉnh Kon Tum"
    assert d.figures[1].value == 0  # province articles are not this reader's


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "1 phút"),
        (timedelta(minutes=45), "45 phút"),
        (timedelta(hours=2), "2 giờ"),
        (timedelta(hours=2, minutes=15), "2 giờ 15 phút"),
        (timedelta(days=3), "3 ngày"),
        (timedelta(days=3, hours=4, minutes=59), "3 ngày 4 giờ"),
    ],
)
def test_late_by(delta: timedelta, words: str) -> None:
    assert late_by(delta) == words


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://baokontum.vn/a.html", True),
        ("http://x.vn/a?b=c", True),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("//evil.example/x", False),
        ("https://x.vn/a\r\nBcc: y", False),
        ('https://x.vn/"onmouseover=', False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) == url) is ok if ok else safe_url(url) is None


@pytest.mark.parametrize(
    ("now_utc", "send_time", "day"),
    [
        (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), "07:00", date(2026, 11, 29)),  # 06:59 in Vietnam
        (datetime(2026, 12, 1, 0, 1, tzinfo=UTC), "07:00", date(2026, 11, 30)),  # 07:01 in Vietnam
        (datetime(2026, 11, 30, 17, 30, tzinfo=UTC), "07:00", date(2026, 11, 29)),  # 00:30 on 01/12
        (datetime(2026, 12, 1, 2, 0, tzinfo=UTC), "09:00", date(2026, 11, 30)),
    ],
)
def test_due_day(now_utc: datetime, send_time: str, day: date) -> None:
    assert due_day(now_utc, send_time) == day


def test_subject_and_numbers_are_vietnamese() -> None:
    assert subject_for(date(2026, 12, 1)) == "Bản tin dư luận ngày 01/12/2026"
    assert decimal(4.333) == "4,3" and decimal(3.0) == "3" and decimal(0.04) == "0"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[digest]\ntime = "7h"\n', '"time" phải có dạng giờ:phút'),
        ('[[digest.recipient]]\nname = "A"\naddress = "khong-phai-thu"\n', "địa chỉ thư"),
        (
            '[[digest.recipient]]\nname = "A"\naddress = "a@x.vn"\n[[digest.recipient]]\nname = "B"\naddress = "A@x.vn"\n',
            "trùng địa chỉ",
        ),
        ('[digest]\nsender = "Ban <khong hop le>"\n', "người gửi"),
        ('[smtp]\nsecurity = "tls"\n', '"security" phải là'),
        ('[smtp]\npassword = "x"\n', 'khóa không hợp lệ "password"'),
        ('[alerts]\ncritical = ["sep"]\n', "không phải vai trò"),
        ('[alerts]\nquiet_start = "22:00"\n', "cả quiet_start và quiet_end"),
        ('[web]\nbase_url = "javascript:alert(1)"\n', "không hợp lệ"),
        ("[digest]\nmax_stories = 0\n", '"max_stories" phải từ 1'),
    ],
)
def test_config_mistakes_are_sentences(toml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(toml, Path("sources.toml"))
    assert expected in err.value.message
    assert "dòng" in err.value.message or "sources.toml" in err.value.message


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "sources.toml"
    if not config.exists():
        config.write_text((ROOT / "sources.toml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "--db", f"sqlite:///{tmp_path / 'm.db'}"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)


def test_cli_preview_writes_both_parts(tmp_path: Path) -> None:
    done = _cli(
        tmp_path, "digest", "--date", "2026-11-30", "--preview", "b.html", "--text", str(tmp_path / "b.txt")
    )
    assert done.returncode == 0, done.stderr
    assert "Đã ghi bản tin ngày 30/11/2026" in done.stdout
    assert "Không có tin cần chú ý" in (tmp_path / "b.html").read_text(encoding="utf-8")
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").startswith("Bản tin dư luận ngày 30/11/2026")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["digest", "--date", "31/02/2026", "--preview", "x.html"], "không hợp lệ"),
        (["digest", "--date", "01/01/2099", "--preview", "x.html"], "chưa kết thúc"),
        (["digest"], "Cần --preview"),
        (["digest", "--preview", "x.html", "--force"], "--force chỉ dùng cùng --send"),
        (["digest", "--send"], "Chưa có người nhận"),
        (["digest", "--preview", "/khong/co/thu/muc/x.html"], "Lỗi tệp"),
    ],
)
def test_cli_digest_bad_input(tmp_path: Path, args: list[str], expected: str) -> None:
    done = _cli(tmp_path, *args)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert expected in done.stderr, done.stderr


def _png() -> bytes:
    """A valid 1×1 PNG, built by hand (the chart itself comes from monitor.charts once it lands)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0\xb0\x4a\x4a"))
        + chunk(b"IEND", b"")
    )


def test_inline_chart_travels_by_content_id_with_alt_text(db: Database) -> None:
    import email
    import email.policy

    from monitor.digest.service import message_for
    from monitor.mail import InlineImage

    seed_known_day(db)
    config = digest_config()
    rendered = render(build(db, config, DAY, SEND_AT), chart_cid="chart-20261130@ca.kontum.example")
    msg = message_for(
        config,
        rendered,
        config.digest.recipient[0],
        "<m@ca.kontum.example>",
        SEND_AT,
        images=[InlineImage("chart-20261130@ca.kontum.example", _png())],
    )
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    html = parsed.get_body(("html",)).get_content()
    assert 'src="cid:chart-20261130@ca.kontum.example"' in html
    assert 'alt="Biểu đồ số bài 8 ngày gần đây: 23/11: 3;' in html
    images = [p for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<chart-20261130@ca.kontum.example>"
    assert images[0].get_content() == _png()
    assert parsed.get_body(("plain",)).get_content() == rendered.text
