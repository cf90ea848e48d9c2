"""sources.toml mistakes that used to pass silently: no [[watch]], an empty file, a BOM, a space in a host."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import load_config, parse_config, toml_error_message
from monitor.errors import ConfigError
from monitor.nlp.targets import default_targets

ONE_SOURCE = '[[source]]\nkey = "bao"\nname = "Báo Thử"\nurl = "https://bao-thu.vn/rss"\n'


def test_no_watch_falls_back_to_the_shipped_targets_with_a_notice() -> None:
    config = parse_config(ONE_SOURCE, Path("sources.toml"))
    assert config.watches == default_targets()
    [notice] = config.notices
    assert "không có mục tiêu theo dõi [[watch]]" in notice and "Công an tỉnh Kon Tum" in notice


def test_the_notice_is_shown_by_commands(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(ONE_SOURCE, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = CliRunner().invoke(app, ["--config", str(path), "--db", db, "sources"])
    assert result.exit_code == 0
    assert "Lưu ý: sources.toml không có mục tiêu theo dõi [[watch]]" in result.output


@pytest.mark.parametrize("text", ["", "\n\n# chỉ có chú thích\n", "\ufeff"])
def test_an_empty_file_is_refused_saying_what_to_add(text: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, Path("sources.toml"))
    assert "trống" in err.value.message and "[[source]]" in err.value.message


def test_a_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_SOURCE.encode("utf-8"))
    assert [s.key for s in load_config(path).sources] == ["bao"]


@pytest.mark.parametrize(
    "url", ["https://bao thu.vn/rss", "https://bao-thu.vn :80/rss", "http://bao-thu.vn:80x/rss"]
)
def test_a_url_with_a_space_or_bad_port_in_its_host_is_refused_at_load(url: str) -> None:
    text = ONE_SOURCE.replace("https://bao-thu.vn/rss", url)
    with pytest.raises(ConfigError) as err:
        parse_config(text, Path("sources.toml"))
    assert "sources.toml, dòng 4" in err.value.message and "không hợp lệ" in err.value.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a b = 1", "dòng 1, cột 3: sai cú pháp TOML — thiếu dấu “=”"),
        ('a = "x', "cuối tệp: sai cú pháp TOML — chuỗi chưa đóng"),
        ("a = tru", "giá trị không hợp lệ"),
        ("[[source]]\nkey='a'\n[source]", "khai báo hai lần"),
    ],
)
def test_toml_syntax_errors_are_vietnamese(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, Path("sources.toml"))
    assert words in err.value.message
    for english in ("Expected", "Invalid", "Unterminated", "Cannot", "line", "column"):
        assert english not in err.value.message
    assert err.value.detail  # the raw parser text is kept for the log


def test_unknown_toml_error_shape_still_names_the_place() -> None:
    assert (
        toml_error_message("Something new (at line 2, column 1)", "s.toml")
        == "s.toml, dòng 2, cột 1: sai cú pháp TOML — không đọc được nội dung ở đây."
    )
