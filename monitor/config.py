"""Load and validate `sources.toml` into a frozen `Config`.

The file is the user's main interface, so every mistake becomes one Vietnamese sentence naming the
file, the line and the key — never a traceback. Tables map onto frozen dataclasses by introspection:
a TOML key is a dataclass field, its type comes from the field's annotation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config_tables import WATCH_KINDS, FlagRules, QueueSettings, WatchTarget, places_file
from monitor.errors import ConfigError
from monitor.vocab import TONES, TOPICS

log = logging.getLogger(__name__)

SOURCE_KINDS = ("rss", "html")

# Allowed ranges of numbers in the single tables: a zero pool size hangs a pass, a URL cap above the
# column width breaks PostgreSQL writes, and so on. (table, key) → (lowest, highest).
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("fetch", "concurrency"): (1, 1000),
    ("fetch", "per_host"): (1, 100),
    ("fetch", "deadline"): (1, 600),
    ("fetch", "max_body_mb"): (0.1, 200),
    ("fetch", "max_items"): (1, 5000),
    ("fetch", "max_url_len"): (64, 2048),
    ("fetch", "default_interval"): (1, 1440),
    ("fetch", "unconditional_hours"): (0.1, 720),
    ("fetch", "max_article_pages"): (0, 100_000),
    ("fetch", "extract_retry_minutes"): (1, 10_080),
    ("fetch", "max_extract_attempts"): (1, 100),
    ("flags", "min_tone_score"): (0, 1),
    ("flags", "min_outlet_weight"): (0, 10),
    ("queue", "deadline_critical_hours"): (0.1, 720),
    ("queue", "deadline_high_hours"): (0.1, 720),
    ("queue", "deadline_normal_hours"): (0.1, 2160),
    ("queue", "claim_minutes"): (1, 1440),
    ("queue", "story_window_days"): (0.1, 90),
    ("queue", "similarity"): (0.01, 1),
    ("queue", "containment"): (0.01, 1),
    ("queue", "containment_min_shingles"): (1, 10_000),
    ("queue", "shingle_words"): (1, 5),
    ("queue", "num_perm"): (16, 1024),
    ("queue", "lsh_threshold"): (0.01, 1),
    ("queue", "max_candidates"): (1, 10_000),
    ("queue", "event_window_hours"): (1, 720),
    ("queue", "event_join"): (0.01, 1),
    ("queue", "event_suggest"): (0.01, 1),
    ("queue", "event_join_names"): (0, 20),
    ("queue", "event_max_candidates"): (1, 1000),
    ("queue", "spike_factor"): (1, 100),
    ("queue", "spike_min_articles"): (1, 10_000),
    ("queue", "spike_window_hours"): (1, 720),
    ("queue", "baseline_days"): (1, 365),
    ("queue", "strong_tone_score"): (0, 1),
    ("queue", "heavy_outlet_weight"): (0, 10),
    ("queue", "spread_high_outlets"): (1, 1000),
    ("queue", "spread_critical_outlets"): (1, 1000),
    ("digest", "max_stories"): (1, 500),
    ("digest", "max_attempts"): (1, 50),
    ("digest", "retry_minutes"): (0.1, 1440),
    ("smtp", "port"): (1, 65535),
    ("smtp", "timeout"): (1, 600),
    ("alerts", "group_minutes"): (0, 120),
    ("alerts", "lookback_hours"): (1, 720),
    ("alerts", "max_attempts"): (1, 50),
    ("alerts", "retry_minutes"): (0.1, 1440),
}


@dataclass(frozen=True)
class FetchSettings:
    """The `[fetch]` table: how politely and how hard we fetch."""

    user_agent: str = "monitor/0.1 (giam sat bao chi; +https://github.com/)"
    concurrency: int = 50
    per_host: int = 4
    deadline: float = 30.0  # seconds, wall clock for one fetch
    max_body_mb: float = 10.0
    max_items: int = 200
    max_url_len: int = 2048
    default_interval: int = 30  # minutes
    unconditional_hours: float = 24.0
    article_pages: bool = True
    max_article_pages: int = 500  # per pass
    extract_retry_minutes: float = 60.0
    max_extract_attempts: int = 5


@dataclass(frozen=True)
class Source:
    """One outlet feed or section page (a `[[source]]` table)."""

    key: str
    name: str
    url: str
    kind: str = "rss"
    interval: int | None = None  # minutes; None = [fetch].default_interval
    enabled: bool = True
    weight: float = 1.0  # outlet reach/importance, 0..10
    scope: str = "national"  # national | regional | local
    allow_private: bool = False  # allow private/loopback addresses (tests, intranet mirrors)
    contact: str | None = None  # the editorial office's address/e-mail, printed on correction requests

    def fingerprint(self) -> str:
        """A hash of this entry: a changed entry (a fixed URL, say) resets the source's backoff."""
        canonical = json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LetterSettings:
    """The `[letters]` table: the header and signature block of documents the board signs."""

    issuer: str = ""  # "Công an tỉnh Kon Tum"; empty = the name of the first [[watch]] of kind "unit"
    department: str = ""  # the issuing office under it, e.g. "Phòng Tham mưu" (printed bold)
    symbol: str = ""  # ký hiệu after the number, e.g. "CAT-PTM"
    place: str = ""  # the place before the date; empty = the issuer's name without "Công an tỉnh"
    signer_title: str = "GIÁM ĐỐC"  # may hold two lines: "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: str = ""


@dataclass(frozen=True)
class DigestRecipient:
    """One reader of the daily digest (a `[[digest.recipient]]` table)."""

    name: str
    address: str
    targets: tuple[str, ...] = ()  # watch keys this reader cares about; empty = every target


@dataclass(frozen=True)
class DigestSettings:
    """The `[digest]` table: who gets the daily digest, when, from whom."""

    time: str = "07:00"  # HH:MM, Asia/Ho_Chi_Minh
    sender: str = ""  # "Name <address>"; empty = [smtp].username or monitor@localhost
    recipient: tuple[DigestRecipient, ...] = ()
    max_stories: int = 30  # flagged stories listed (overdue ones always first)
    chart_png: bool = False  # also attach the 8-day chart as an inline PNG (cid:), drawn by monitor.charts
    max_attempts: int = 6  # temporary SMTP failures retried this many times
    retry_minutes: float = 5.0  # first retry delay (doubles each attempt)


@dataclass(frozen=True)
class SmtpSettings:
    """The `[smtp]` table: the mail server. The password never lives here (env or password_file)."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password_file: str = ""  # a file holding the password; MONITOR_SMTP_PASSWORD wins
    timeout: float = 30.0


@dataclass(frozen=True)
class AlertSettings:
    """The `[alerts]` table: who is told what, when. Entries: role ids, "assignee" or e-mail addresses."""

    enabled: bool = True
    critical: tuple[str, ...] = ("leader", "collaborator")
    overdue: tuple[str, ...] = ("leader", "assignee")
    assigned: tuple[str, ...] = ("assignee",)
    approval: tuple[str, ...] = ("leader",)
    group_minutes: float = 3.0  # alerts arriving within this window go out as one mail
    quiet_start: str = ""  # "22:00": from then until quiet_end only critical alerts are sent
    quiet_end: str = ""
    webhook_url: str = ""  # optional JSON POST of every alert batch
    lookback_hours: float = 24.0  # only events this recent raise alerts (no flood after an upgrade)
    max_attempts: int = 6
    retry_minutes: float = 2.0


@dataclass(frozen=True)
class WebSettings:
    """The `[web]` table: where the web app is reachable (alerts and the digest link to case pages)."""

    base_url: str = ""

    def case_url(self, case_id: int) -> str | None:
        """The case page's address, or None without a base URL."""
        return f"{self.base_url.rstrip('/')}/cases/{case_id}" if self.base_url else None


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path
    fetch: FetchSettings
    sources: tuple[Source, ...]
    watches: tuple[WatchTarget, ...]
    flags: FlagRules
    queue: QueueSettings
    digest: DigestSettings = DigestSettings()
    smtp: SmtpSettings = SmtpSettings()
    alerts: AlertSettings = AlertSettings()
    web: WebSettings = WebSettings()
    letters: LetterSettings = LetterSettings()
    notices: tuple[str, ...] = ()  # Vietnamese sentences the user should see when the file loads

    def source(self, key: str) -> Source:
        """The source with this key, or a ConfigError naming it."""
        for src in self.sources:
            if src.key == key:
                return src
        raise ConfigError(f'Không có nguồn tin với khóa "{key}" trong {self.path.name}.')

    def interval_of(self, src: Source) -> int:
        """The polling interval of a source in minutes."""
        return src.interval or self.fetch.default_interval


def _table_classes() -> dict[str, type]:
    """Dataclasses for the single tables."""
    return {
        "fetch": FetchSettings,
        "flags": FlagRules,
        "queue": QueueSettings,
        "digest": DigestSettings,
        "smtp": SmtpSettings,
        "alerts": AlertSettings,
        "web": WebSettings,
        "letters": LetterSettings,
    }


def load_config(path: Path | str) -> Config:
    """Read, parse and validate a sources.toml file."""
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8-sig")  # Notepad saves UTF-8 with a BOM
    except FileNotFoundError:
        raise ConfigError(
            f"Không tìm thấy tệp cấu hình {path}. Dùng --config hoặc biến MONITOR_CONFIG để chỉ tệp khác."
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path} là một thư mục, không phải tệp cấu hình sources.toml.") from None
    except PermissionError:
        raise ConfigError(f"Không có quyền đọc tệp cấu hình {path}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Tệp cấu hình {path} phải được lưu với mã UTF-8.") from None
    return parse_config(raw_text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate the text of a sources.toml (see README for every key)."""
    text = text.removeprefix("\ufeff")
    loc = _Locator(text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error_message(str(exc), path.name), detail=str(exc)) from None
    if not data:
        raise ConfigError(
            f"Tệp cấu hình {path.name} trống: cần ít nhất một nguồn tin [[source]] (key, name, url). "
            "Xem mẫu trong README, mục “sources.toml”."
        )

    classes = _table_classes()
    known = {"source", "watch", *classes}
    for name in data:
        if name not in known:
            raise ConfigError(
                f"{loc.at(name)}: bảng không hợp lệ [{name}]. Các bảng hợp lệ: "
                + ", ".join(f"[{k}]" for k in classes)
                + ", [[source]], [[watch]]."
            )
    renamed = _renamed_keys(data, loc)
    singles = {
        name: _build(cls, _expect_table(data, name, loc), loc, name, None) for name, cls in classes.items()
    }
    _check_ranges(singles, loc)
    _check_labels(singles, loc)
    _check_notify(singles, loc)
    sources = tuple(
        _build(Source, t, loc, "source", i) for i, t in enumerate(_expect_list(data, "source", loc))
    )
    watches = tuple(
        _build(WatchTarget, t, loc, "watch", i) for i, t in enumerate(_expect_list(data, "watch", loc))
    )
    for i, src in enumerate(sources):
        _check_source(src, loc, i)
    for i, w in enumerate(watches):
        _check_watch(w, loc, i)
    _check_unique([s.key for s in sources], loc, "source")
    _check_unique([w.key for w in watches], loc, "watch")
    notices: list[str] = []
    if not sources:
        notices.append(f"{path.name} chưa có nguồn tin [[source]] nào: sẽ không thu thập được gì.")
    if not watches:
        from monitor.nlp.targets import default_targets

        watches = default_targets()
        notices.append(
            f"{path.name} không có mục tiêu theo dõi [[watch]]: đang dùng mục tiêu mặc định "
            f"({' và '.join(w.name for w in watches)}). Thêm [[watch]] để theo dõi đơn vị khác."
        )
    return Config(
        path=path,
        fetch=singles["fetch"],
        sources=sources,
        watches=watches,
        flags=singles["flags"],
        queue=singles["queue"],
        digest=singles["digest"],
        smtp=singles["smtp"],
        alerts=singles["alerts"],
        web=singles["web"],
        letters=singles["letters"],
        notices=(*renamed, *notices),
    )


# tomllib's messages, in Vietnamese (the raw text stays in the error's detail, for the log).
_TOML_VI = (
    ("Expected '=' after a key", "thiếu dấu “=” sau tên khóa (tên khóa có dấu cách cần đặt trong ngoặc kép)"),
    (
        "Invalid value",
        "giá trị không hợp lệ (chuỗi cần ngoặc kép, true/false viết thường, danh sách cần đóng “]”)",
    ),
    ("Unterminated string", "chuỗi chưa đóng ngoặc kép"),
    ("Expected ']' at the end of a table", "tên bảng thiếu dấu “]”"),
    ("Cannot overwrite a value", "một khóa được khai báo hai lần"),
    ("Cannot declare", "một bảng được khai báo hai lần (hoặc vừa là [bảng] vừa là [[bảng]])"),
    ("Expected newline or end of document", "thừa nội dung sau giá trị trên cùng một dòng"),
    ("Illegal character", "có ký tự không được phép"),
    ("Invalid statement", "dòng không hợp lệ"),
    ("Invalid initial character for a key part", "tên khóa bắt đầu bằng ký tự không hợp lệ"),
)


def toml_error_message(raw: str, file_name: str) -> str:
    """A TOML syntax error as one Vietnamese sentence with its line and column (pure)."""
    m = re.search(r"line (\d+), column (\d+)", raw)
    where = (
        f", dòng {m.group(1)}, cột {m.group(2)}" if m else (", cuối tệp" if "end of document" in raw else "")
    )
    what = next((vi for en, vi in _TOML_VI if raw.startswith(en)), "không đọc được nội dung ở đây")
    return f"{file_name}{where}: sai cú pháp TOML — {what}."


# (table, old key) → new key. The old key keeps working, with a logged warning and a notice for the user.
RENAMED_KEYS = {("queue", "sensitive_topics"): "priority_topics"}


def _renamed_keys(data: dict[str, Any], loc: _Locator) -> tuple[str, ...]:
    """Move renamed keys to their new name; the Vietnamese notices to show."""
    notices = []
    for (table, old), new in RENAMED_KEYS.items():
        values = data.get(table)
        if not isinstance(values, dict) or old not in values:
            continue
        if new in values:
            raise ConfigError(
                f'{loc.at(table, None, old)}: [{table}] có cả "{old}" (tên cũ) và "{new}"; hãy bỏ "{old}".'
            )
        values[new] = values.pop(old)
        log.warning("renamed config key", extra={"table": table, "key": old, "new_key": new})
        notices.append(
            f'{loc.at(table, None, old)}: khóa "{old}" trong [{table}] nay gọi là "{new}"; '
            "giá trị vẫn được dùng, hãy đổi tên khóa."
        )
    return tuple(notices)


def _check_ranges(singles: dict[str, Any], loc: _Locator) -> None:
    for (table, key), (lo, hi) in RANGES.items():
        value = getattr(singles[table], key, None)
        if value is not None and not lo <= value <= hi:
            raise ConfigError(
                f'{loc.at(table, None, key)}: "{key}" phải từ {lo:g} đến {hi:g}, nhận được {value!r}.'
            )


def _check_labels(singles: dict[str, Any], loc: _Locator) -> None:
    """Tones and topics named in [flags]/[queue] must be the vocabulary's ids."""
    for table, key, allowed in (
        ("flags", "tones", TONES),
        ("flags", "sensitive_topics", TOPICS),
        ("queue", "priority_topics", TOPICS),
    ):
        for value in getattr(singles[table], key, ()):
            if value not in allowed:
                raise ConfigError(
                    f'{loc.at(table, None, key)}: "{value}" không có trong danh sách {key}: {", ".join(allowed)}.'
                )


_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")
ALERT_WHO = ("collaborator", "reporter", "leader", "admin", "assignee")


def is_address(text: str) -> bool:
    """Whether `text` is a plain e-mail address (no name, no spaces, no line breaks)."""
    return bool(_ADDRESS.fullmatch(text))


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_notify(singles: dict[str, Any], loc: _Locator) -> None:
    """[digest], [smtp], [alerts], [web]: times, addresses, roles and URLs a mail server would trip on."""
    from email.utils import parseaddr

    digest, smtp, alerts, web = singles["digest"], singles["smtp"], singles["alerts"], singles["web"]
    for table, key, value in (
        ("digest", "time", digest.time),
        ("alerts", "quiet_start", alerts.quiet_start),
        ("alerts", "quiet_end", alerts.quiet_end),
    ):
        if (value or table == "digest") and not _HHMM.fullmatch(value):
            raise ConfigError(f'{loc.at(table, None, key)}: "{key}" phải có dạng giờ:phút, ví dụ "07:00".')
    if bool(alerts.quiet_start) != bool(alerts.quiet_end):
        raise ConfigError(f"{loc.at('alerts')}: cần khai báo cả quiet_start và quiet_end (hoặc bỏ cả hai).")
    if digest.sender and (not is_address(parseaddr(digest.sender)[1]) or "\n" in digest.sender):
        raise ConfigError(
            f'{loc.at("digest", None, "sender")}: người gửi "{digest.sender}" không hợp lệ, '
            'ví dụ "Ban Tuyên truyền <bantuyentruyen@example.vn>".'
        )
    for i, r in enumerate(digest.recipient):
        if not is_address(r.address):
            raise ConfigError(
                f'{loc.at("digest.recipient", i, "address")}: địa chỉ thư "{r.address}" không hợp lệ.'
            )
        if not r.name.strip() or any(c in r.name for c in "\r\n"):
            raise ConfigError(
                f"{loc.at('digest.recipient', i, 'name')}: cần họ tên người nhận trên một dòng."
            )
    _check_unique([r.address.lower() for r in digest.recipient], loc, "digest.recipient", "address")
    if smtp.security not in ("starttls", "ssl", "none"):
        raise ConfigError(
            f'{loc.at("smtp", None, "security")}: "security" phải là "starttls", "ssl" hoặc "none".'
        )
    if not smtp.host.strip():
        raise ConfigError(f"{loc.at('smtp', None, 'host')}: cần tên máy chủ thư.")
    for key in ("critical", "overdue", "assigned", "approval"):
        for who in getattr(alerts, key):
            if who not in ALERT_WHO and not is_address(who):
                raise ConfigError(
                    f'{loc.at("alerts", None, key)}: "{who}" không phải vai trò ({", ".join(ALERT_WHO)}) '
                    "hay địa chỉ thư."
                )
    for table, key, value in (
        ("alerts", "webhook_url", alerts.webhook_url),
        ("web", "base_url", web.base_url),
    ):
        if value and not _is_http_url(value):
            raise ConfigError(
                f'{loc.at(table, None, key)}: địa chỉ "{value}" không hợp lệ (cần http:// hoặc https://).'
            )


def _check_source(src: Source, loc: _Locator, i: int) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,99}", src.key):
        raise ConfigError(
            f'{loc.at("source", i, "key")}: khóa nguồn "{src.key}" chỉ được gồm chữ thường không dấu, số, "-" và "_".'
        )
    parts = urlsplit(src.url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _valid_host(parts.netloc):
        raise ConfigError(
            f'{loc.at("source", i, "url")}: địa chỉ "{src.url}" không hợp lệ (cần http:// hoặc https://).'
        )
    if src.kind not in SOURCE_KINDS:
        raise ConfigError(
            f'{loc.at("source", i, "kind")}: "kind" phải là "rss" hoặc "html", nhận được "{src.kind}".'
        )
    if src.interval is not None and not 1 <= src.interval <= 24 * 60:
        raise ConfigError(f'{loc.at("source", i, "interval")}: "interval" phải từ 1 đến 1440 phút.')
    if not 0 <= src.weight <= 10:
        raise ConfigError(f'{loc.at("source", i, "weight")}: "weight" phải từ 0 đến 10.')


def _valid_host(netloc: str) -> bool:
    """Whether the host[:port] part could be reached at all (no space or stray character, a real port)."""
    host_port = netloc.rsplit("@", 1)[-1]
    if not host_port or any(c.isspace() or c in '<>"{}|\\^`' for c in host_port):
        return False
    try:
        urlsplit(f"http://{host_port}").port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return True


def _check_watch(w: Any, loc: _Locator, i: int) -> None:
    if w.kind not in WATCH_KINDS:
        raise ConfigError(
            f'{loc.at("watch", i, "kind")}: "kind" phải là "unit" hoặc "province", nhận được "{w.kind}".'
        )
    if w.places is not None:
        where = loc.at("watch", i, "places")
        if not re.fullmatch(r"[a-z0-9_]+", w.places):
            raise ConfigError(f'{where}: Tên danh sách địa danh không hợp lệ "{w.places}".')
        if not places_file(w.places).is_file():
            raise ConfigError(
                f'{where}: Không có danh sách địa danh "{w.places}" ({places_file(w.places).name}).'
            )


def _check_unique(keys: list[str], loc: _Locator, table: str, field: str = "key") -> None:
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            first = loc.line(table, seen[key], field)
            word = "khóa" if field == "key" else "địa chỉ"
            raise ConfigError(
                f'{loc.at(table, i, field)}: trùng {word} "{key}" '
                f"(đã khai báo ở dòng {first}). Mỗi [[{table}]] cần một {word} riêng."
            )
        seen[key] = i


def _expect_table(data: dict[str, Any], name: str, loc: _Locator) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"{loc.at(name)}: [{name}] phải là một bảng (viết [{name}], không phải [[{name}]])."
        )
    return value


def _expect_list(data: dict[str, Any], name: str, loc: _Locator) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{loc.at(name)}: mỗi mục phải là một bảng [[{name}]].")
    return value


def _build(cls: type, table: dict[str, Any], loc: _Locator, name: str, index: int | None) -> Any:
    """Map a TOML table onto a dataclass, checking unknown keys, missing keys and types."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    label = f"[{name}]" if index is None else f"[[{name}]] thứ {index + 1}"
    for key in table:
        if key not in fields:
            raise ConfigError(
                f'{loc.at(name, index, key)}: khóa không hợp lệ "{key}" trong {label}. '
                f"Các khóa hợp lệ: {', '.join(fields)}."
            )
    values: dict[str, Any] = {}
    for fname, f in fields.items():
        if fname not in table:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f'{loc.at(name, index)}: {label} thiếu khóa bắt buộc "{fname}".')
            continue
        values[fname] = _coerce(table[fname], hints[fname], loc, name, index, fname)
    return cls(**values)


_TYPE_NAMES = {str: "chuỗi ký tự", int: "số nguyên", float: "số", bool: "true hoặc false"}


def _coerce(value: Any, hint: Any, loc: _Locator, name: str, index: int | None, key: str) -> Any:
    """Check a TOML value against a field annotation (str, int, float, bool, tuple[str, ...], X | None)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], loc, name, index, key)
    if typing.get_origin(hint) is tuple and isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
        # an array of tables inside a table: [[digest.recipient]]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{loc.at(name, index, key)}: mỗi mục phải là một bảng [[{name}.{key}]].")
        return tuple(_build(args[0], v, loc, f"{name}.{key}", i) for i, v in enumerate(value))
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f'{loc.at(name, index, key)}: "{key}" phải là danh sách chuỗi, ví dụ ["a", "b"].'
            )
        return tuple(value)
    ok = (
        isinstance(value, bool)
        if hint is bool
        else isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is float
        else isinstance(value, int) and not isinstance(value, bool)
        if hint is int
        else isinstance(value, hint)
    )
    if not ok:
        raise ConfigError(
            f'{loc.at(name, index, key)}: "{key}" phải là {_TYPE_NAMES.get(hint, hint.__name__)}, nhận được {value!r}.'
        )
    return float(value) if hint is float else value


class _Locator:
    """Finds the line of a table or key in the raw TOML text, for error messages."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path

    def line(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        """1-based line of `key` in the index-th [table] / [[table]], or of the table header."""
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
        any_header = re.compile(r"^\s*\[")
        count, start = -1, None
        for n, text in enumerate(self.lines):
            if header.match(text):
                count += 1
                if count == (index or 0):
                    start = n
                    break
        if start is None:
            return None
        if key is None:
            return start + 1
        key_re = re.compile(rf'^\s*("?){re.escape(key)}\1\s*=')
        for n in range(start + 1, len(self.lines)):
            if any_header.match(self.lines[n]):
                break
            if key_re.match(self.lines[n]):
                return n + 1
        return start + 1

    def at(self, table: str, index: int | None = None, key: str | None = None) -> str:
        """'sources.toml, dòng N' (or just the file name when the line is unknown)."""
        n = self.line(table, index, key)
        return f"{self.path.name}, dòng {n}" if n else self.path.name
