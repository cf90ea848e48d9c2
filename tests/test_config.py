"""sources.toml: the shipped file loads; each kind of mistake gets a Vietnamese message naming file, line, key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config, parse_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
[fetch]
concurrency = 10

[[source]]
key = "vnexpress-phap-luat"
name = "VnExpress – Pháp luật"
url = "https://vnexpress.net/rss/phap-luat.rss"

[[source]]
key = "baokontum"
name = "Báo Kon Tum"
url = "https://baokontum.com.vn/rss/home.rss"
interval = 10
"""


def test_shipped_sources_toml_loads() -> None:
    config = load_config(ROOT / "sources.toml")
    keys = {s.key for s in config.sources}
    assert {"vnexpress-phap-luat", "cand-phap-luat", "baokontum", "baoquangngai"} <= keys
    assert {w.kind for w in config.watches} == {"unit", "province"}
    assert any(s.kind == "html" for s in config.sources)


def test_defaults_fill_missing_keys() -> None:
    config = parse_config(GOOD, Path("sources.toml"))
    src = config.source("vnexpress-phap-luat")
    assert (src.kind, src.enabled, src.interval, src.allow_private) == ("rss", True, None, False)
    assert config.interval_of(src) == config.fetch.default_interval
    assert config.fetch.concurrency == 10


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            GOOD.replace("interval = 10", "intervall = 10"),
            ["sources.toml, dòng 13", 'khóa không hợp lệ "intervall"', "[[source]] thứ 2"],
            id="unknown-key",
        ),
        pytest.param(
            GOOD.replace('key = "baokontum"', 'key = "vnexpress-phap-luat"'),
            ["dòng 10", 'trùng khóa "vnexpress-phap-luat"', "dòng 5"],
            id="duplicate-key",
        ),
        pytest.param(
            GOOD.replace("interval = 10", 'interval = "10"'),
            ["dòng 13", '"interval" phải là số nguyên'],
            id="bad-type-int",
        ),
        pytest.param(
            GOOD.replace("concurrency = 10", "concurrency = true"),
            ["dòng 2", '"concurrency" phải là số nguyên'],
            id="bool-is-not-int",
        ),
        pytest.param(
            GOOD.replace("https://baokontum.com.vn/rss/home.rss", "ftp://baokontum.com.vn/rss"),
            ["dòng 12", "không hợp lệ", "http"],
            id="bad-url-scheme",
        ),
        pytest.param(
            GOOD.replace("https://baokontum.com.vn/rss/home.rss", "baokontum.com.vn/rss"),
            ["dòng 12", "không hợp lệ"],
            id="url-without-scheme",
        ),
        pytest.param(
            GOOD.replace('name = "Báo Kon Tum"\n', ""),
            ["dòng 9", 'thiếu khóa bắt buộc "name"'],
            id="missing-required",
        ),
        pytest.param(
            GOOD + '\n[[source]]\nkey = "x"\nname = "X"\nurl = "https://x.vn/"\nkind = "atom"\n',
            ['"kind" phải là "rss" hoặc "html"'],
            id="bad-kind",
        ),
        pytest.param(
            GOOD.replace('key = "baokontum"', 'key = "Báo Kon Tum"'),
            ["dòng 10", "chỉ được gồm chữ thường không dấu"],
            id="bad-slug",
        ),
        pytest.param(GOOD + "\n[sources]\nx = 1\n", ["bảng không hợp lệ [sources]"], id="unknown-table"),
        pytest.param(GOOD.replace("[fetch]", "[fetch"), ["sai cú pháp TOML", "dòng 1"], id="toml-syntax"),
        pytest.param(
            GOOD + '\n[[watch]]\nkey = "kt"\nkind = "city"\nname = "Kon Tum"\n',
            ['"kind" phải là "unit" hoặc "province"'],
            id="bad-watch-kind",
        ),
        pytest.param(
            GOOD + '\n[[watch]]\nkey = "kt"\nkind = "province"\nname = "Kon Tum"\naliases = "Kon Tum"\n',
            ['"aliases" phải là danh sách chuỗi'],
            id="bad-list",
        ),
        pytest.param(
            GOOD.replace("interval = 10", "interval = 0"),
            ['"interval" phải từ 1 đến 1440'],
            id="interval-range",
        ),
        pytest.param(
            GOOD.replace("concurrency = 10", "concurrency = 0"),
            ["dòng 2", '"concurrency" phải từ 1 đến 1000'],
            id="zero-pool",
        ),
        pytest.param(GOOD + "\n[fetch2]\n", ["bảng không hợp lệ [fetch2]"], id="unknown-table-2"),
        pytest.param(
            GOOD + "\n[queue]\nnum_perm = 0\n", ["dòng 16", '"num_perm" phải từ 16'], id="queue-range"
        ),
        pytest.param(
            GOOD + '\n[flags]\ntones = ["tieu-cuc"]\n',
            ["dòng 16", '"tieu-cuc" không có trong danh sách tones'],
            id="unknown-tone",
        ),
        pytest.param(
            GOOD + '\n[[watch]]\nkey = "kt"\nkind = "province"\nname = "Kon Tum"\nplaces = "kon_tom"\n',
            ["dòng 19", 'Không có danh sách địa danh "kon_tom"'],
            id="unknown-place-list",
        ),
    ],
)
def test_mistakes_are_named(text: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("sources.toml"))
    for fragment in fragments:
        assert fragment in info.value.message


def test_missing_file_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Không tìm thấy tệp cấu hình"):
        load_config(tmp_path / "nope.toml")


def test_non_utf8_file_message(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(GOOD.encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path)


def test_the_old_queue_key_still_works_with_a_notice(caplog: pytest.LogCaptureFixture) -> None:
    text = '[queue]\nclaim_minutes = 20\nsensitive_topics = ["ma_tuy"]\n'
    with caplog.at_level("WARNING", logger="monitor.config"):
        config = parse_config(text, Path("sources.toml"))
    assert config.queue.priority_topics == ("ma_tuy",) and config.queue.claim_minutes == 20
    [notice] = [n for n in config.notices if "sensitive_topics" in n]  # others: no [[source]], no [[watch]]
    assert notice.startswith("sources.toml, dòng 3:") and '"priority_topics"' in notice
    assert [r.__dict__.get("new_key") for r in caplog.records] == ["priority_topics"]
    renamed = parse_config('[queue]\npriority_topics = ["ma_tuy"]\n', Path("sources.toml")).notices
    assert not [n for n in renamed if "sensitive_topics" in n]
    with pytest.raises(ConfigError, match="cả"):
        parse_config("[queue]\npriority_topics = []\nsensitive_topics = []\n", Path("sources.toml"))
    with pytest.raises(ConfigError, match="không có trong danh sách priority_topics"):
        parse_config('[queue]\nsensitive_topics = ["the_thao"]\n', Path("sources.toml"))


def test_the_cli_shows_the_notice(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from monitor.cli import app

    cfg = tmp_path / "sources.toml"
    cfg.write_text('[queue]\nsensitive_topics = ["tham_nhung"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'x.db'}", "sources"]
    )
    assert result.exit_code == 0, result.output
    assert (
        'Lưu ý: sources.toml, dòng 2: khóa "sensitive_topics" trong [queue] nay gọi là "priority_topics"'
        in (result.output)
    )


def test_the_loader_does_not_import_the_stages() -> None:
    import subprocess
    import sys

    code = "import sys, monitor.config; print(sorted(m for m in sys.modules if m.startswith(('monitor.nlp', 'monitor.queue'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
