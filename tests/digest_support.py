"""A known day for the digest and alert tests (no tests here): 30/11/2026 in Kon Tum, seeded directly."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor.config import Config, parse_config
from monitor.store.db import Database
from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryRow, UserRow
from monitor.store.tables import AnalysisRow, ArticleRow, FetchLogRow, MentionRow, SourceRow

DAY = date(2026, 11, 30)
# 30/11/2026 in Vietnam time is 29/11 17:00 UTC → 30/11 17:00 UTC
DAY_START = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
SEND_AT = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 07:30 on 01/12 in Vietnam
MALICIOUS = '<script>alert("x")</script> Tin giả\r\nBcc: victim@example.com về <b>Công an</b> & "cán bộ"'
_n = itertools.count(1)

CONFIG_TOML = """
[[watch]]
key = "ca-kon-tum"
kind = "unit"
name = "Công an tỉnh Kon Tum"

[[watch]]
key = "kon-tum"
kind = "province"
name = "Kon Tum"

[digest]
time = "07:00"
sender = "Ban Tuyên truyền <bantuyentruyen@ca.kontum.example>"

[[digest.recipient]]
name = "Đại tá Phạm Minh Đức"
address = "duc@ca.kontum.example"

[[digest.recipient]]
name = "Trung tá Lê Thị Hoa"
address = "hoa@ca.kontum.example"
targets = ["ca-kon-tum"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 5

[web]
base_url = "https://giamsat.ca.kontum.example"
{extra}
"""


def digest_config(port: int = 2525, extra: str = "") -> Config:
    """The test configuration: two targets, two digest readers, a local SMTP server."""
    return parse_config(CONFIG_TOML.format(port=port, extra=extra), Path("sources.toml"))


def _source(s, key: str, name: str, *, enabled: bool = True, failures: int = 0) -> int:
    row = SourceRow(
        key=key,
        name=name,
        url=f"https://{key}.example.vn/rss",
        kind="rss",
        weight=1.0,
        enabled=enabled,
        consecutive_failures=failures,
        failure_score=float(failures),
        created_at=DAY_START - timedelta(days=30),
    )
    s.add(row)
    s.flush()
    return row.id


def _article(
    s, source_id: int, title: str, at: datetime, tone: str, topic: str, targets: tuple[str, ...]
) -> int:
    n = next(_n)
    a = ArticleRow(
        source_id=source_id,
        item_key=f"i{n}",
        url=f"https://bao.example.vn/bai-{n}.html",
        canonical_url=f"https://bao.example.vn/bai-{n}.html",
        content_hash=f"h{n}",
        title=title,
        summary="",
        text=title,
        published_at=at,
        fetched_at=at,
        updated_at=at,
        extract_status="ok",
        extract_attempts=1,
        analysed_at=at,
    )
    s.add(a)
    s.flush()
    s.add(
        AnalysisRow(
            article_id=a.id,
            language="vi",
            topic=topic,
            topic_score=0.8,
            tone=tone,
            tone_score=0.8,
            flagged=tone == "tieu_cuc",
            flag_reasons=[],
            model_version="test-1",
            analysed_at=at,
        )
    )
    for t in targets:
        s.add(
            MentionRow(
                article_id=a.id,
                target=t,
                kind="unit" if t == "ca-kon-tum" else "province",
                alias=t,
                level="exact",
                start=0,
                end=5,
                snippet="…",
            )
        )
    s.flush()
    return a.id


def _story_case(
    s,
    source_id: int,
    title: str,
    at: datetime,
    *,
    tone: str = "tieu_cuc",
    topic: str = "dich_vu_cong",
    outlets: int = 1,
    priority: str = "normal",
    deadline: timedelta = timedelta(hours=72),
    state: str = "new",
    holder: int | None = None,
    url: str | None = None,
    case: bool = True,
) -> int:
    aid = _article(s, source_id, title, at, tone, topic, ("ca-kon-tum", "kon-tum"))
    if url is not None:
        s.get(ArticleRow, aid).url = url
    story = StoryRow(
        title=title,
        first_article_id=aid,
        first_source_id=source_id,
        first_seen_at=at,
        last_seen_at=at,
        article_count=outlets,
        outlet_count=outlets,
        outlets=[],
        targets=["ca-kon-tum", "kon-tum"],
        topic=topic,
        tone=tone,
        flagged=tone == "tieu_cuc",
        flag_reasons=[],
        max_outlet_weight=1.0,
        updated_at=at,
    )
    s.add(story)
    s.flush()
    if not case:
        return story.id
    rank = {"critical": 0, "high": 1, "normal": 2}[priority]
    row = CaseRow(
        story_id=story.id,
        state=state,
        priority=priority,
        priority_rank=rank,
        priority_reasons=[],
        priority_locked=False,
        opened_at=at,
        deadline_at=at + deadline,
        updated_at=at,
        version=1,
        claimed_by=holder,
        claim_expires_at=at + timedelta(hours=1) if holder else None,
    )
    s.add(row)
    s.flush()
    s.add(
        CaseEventRow(
            case_id=row.id,
            at=at,
            actor_id=None,
            action="open",
            from_state=None,
            to_state="new",
            version=1,
            note="",
            evidence=[],
            data={"priority": priority},
        )
    )
    s.flush()
    return row.id


def _event(s, case_id: int, at: datetime, actor: int, action: str, frm: str, to: str, version: int) -> None:
    s.add(
        CaseEventRow(
            case_id=case_id,
            at=at,
            actor_id=actor,
            action=action,
            from_state=frm,
            to_state=to,
            version=version,
            note="",
            evidence=[],
            data={},
        )
    )


def _user(s, username: str, name: str, role: str, email: str | None) -> int:
    u = UserRow(username=username, name=name, role=role, active=True, email=email, created_at=DAY_START)
    s.add(u)
    s.flush()
    return u.id


def seed_known_day(db: Database) -> dict[str, int]:
    """The known day: a week of history, an overdue critical case, a malicious title, the board's work."""
    global _n
    _n = itertools.count(1)  # the same URLs on every backend (golden files)
    ids: dict[str, int] = {}
    h = lambda hours: DAY_START + timedelta(hours=hours)  # noqa: E731 - hours into 30/11 (Vietnam time)
    with db.write() as s:
        ctv = _user(s, "ctv1", "Nguyễn Văn An", "collaborator", "an@ca.kontum.example")
        ld = _user(s, "ld", "Phạm Minh Đức", "leader", "duc@ca.kontum.example")
        bcv = _user(s, "bcv", "Lê Văn Cường", "reporter", None)
        ids.update(ctv=ctv, ld=ld, bcv=bcv)
        bkt = _source(s, "baokontum", "Báo Kon Tum")
        vne = _source(s, "vnexpress", "VnExpress")
        broken = _source(s, "tin-dia-phuong", "Tin Địa Phương", failures=4)
        _source(s, "bao-cu", "Báo Cũ", enabled=False)
        # a week of ordinary coverage: 2–4 articles a day, one of them about the unit
        for back in range(1, 8):
            for k in range(2 + back % 3):
                _article(
                    s,
                    vne,
                    f"Kon Tum: tin thường ngày {back}-{k}",
                    h(-24 * back + 3 + k),
                    "trung_tinh",
                    "giao_thong",
                    ("kon-tum",) if k else ("ca-kon-tum", "kon-tum"),
                )
        # the day itself
        for k in range(3):
            _article(
                s,
                vne,
                f"Kon Tum: tin trong ngày {k}",
                h(2 + k),
                "trung_tinh",
                "an_ninh_trat_tu",
                ("kon-tum",),
            )
        ids["critical"] = _story_case(
            s,
            bkt,
            "Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước tại Công an tỉnh Kon Tum",
            h(-20),
            outlets=6,
            priority="critical",
            deadline=timedelta(hours=2),
            state="in_review",
            holder=ctv,
        )
        ids["high"] = _story_case(
            s,
            vne,
            "Phản ánh cán bộ Công an xã Đăk Blà gây khó dễ khi làm thủ tục cư trú",
            h(9),
            outlets=3,
            priority="high",
            deadline=timedelta(hours=24),
            topic="dich_vu_cong",
        )
        ids["malicious"] = _story_case(
            s,
            vne,
            MALICIOUS,
            h(10),
            url="javascript:alert(1)",
            topic="tham_nhung",
        )
        decided = _story_case(
            s,
            bkt,
            "Tin đồn sai sự thật về vụ tai nạn trên đèo Măng Đen",
            h(-30),
            topic="giao_thong",
            state="response_published",
        )
        ids["decided"] = decided
        s.get(CaseRow, decided).response_url = "https://congan.kontum.example/thong-cao/mang-den"
        _event(s, decided, h(8), ctv, "verify", "in_review", "verified_false", 3)
        _event(s, decided, h(8), ctv, "verify", "verified_false", "response_needed", 3)
        _event(s, decided, h(11), ld, "approve", "response_drafted", "response_approved", 5)
        _event(s, decided, h(15), bcv, "publish", "response_approved", "response_published", 6)
        ids["positive"] = _story_case(
            s,
            bkt,
            "Công an tỉnh Kon Tum triệt phá đường dây mua bán ma túy xuyên tỉnh",
            h(7),
            tone="tich_cuc",
            topic="ma_tuy",
            outlets=4,
            case=False,
        )
        for k in range(6):
            s.add(
                FetchLogRow(
                    source_id=broken,
                    started_at=h(1 + 3 * k),
                    elapsed=5.0,
                    status="failed" if k >= 2 else "ok",
                    http_status=503 if k >= 2 else 200,
                    error="máy chủ trả lời 503" if k >= 2 else None,
                )
            )
            s.add(
                FetchLogRow(source_id=bkt, started_at=h(1 + 3 * k), elapsed=1.0, status="ok", http_status=200)
            )
    return ids
