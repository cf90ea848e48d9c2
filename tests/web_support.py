"""Helpers for the web tests: a seeded database, the app, logged-in test clients (no tests here)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from monitor.accounts.passwords import hash_password
from monitor.config import load_config
from monitor.store.db import Database
from monitor.store.users import find_user, set_password_hash
from monitor.web import create_app
from monitor.web.settings import WebContext, WebSettings
from tests.test_queue_support import seed_users

ROOT = Path(__file__).resolve().parents[1]
SECRET = "k" * 48
PASSWORD = "Mật-khẩu-thử-2026"  # passes the rules; every seeded user gets it
USERS = ("ctv1", "ctv2", "bcv", "ld", "qt")


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)


def seed_accounts(db: Database) -> None:
    """One user per role (+ a second collaborator), each with PASSWORD (hashed once per test run)."""
    seed_users(db)
    with db.write() as s:
        for name in USERS:
            user = find_user(s, name)
            assert user is not None
            set_password_hash(s, user.id, _hash())


def make_app(db: Database, **settings: Any) -> Flask:
    """The real app on `db` with the shipped sources.toml."""
    config = load_config(ROOT / "sources.toml")
    app = create_app(WebContext(db, config, WebSettings(secret_key=SECRET, **settings)))
    app.testing = False  # errors go through the Vietnamese error pages, as in production
    return app


def csrf_of(html: str) -> str:
    """The CSRF token rendered in a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    """A client logged in as `username` (asserts the log-in worked)."""
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.text
    return client


def page_csrf(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of a logged-in page."""
    return csrf_of(client.get(path).text)


def seed_world(db: Database) -> dict[str, int]:
    """Accounts plus realistic cases: stories with several outlets, mentions, one hostile title; ids by name."""
    from datetime import UTC, datetime, timedelta

    from monitor.store.queue_tables import CaseRow, StoryArticleRow, StoryRow
    from tests.test_queue_support import DRUG_STORY, QUEUE_STORY, TRAFFIC_STORY, seed_article, seed_source

    seed_accounts(db)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    stories = {
        "queue": (QUEUE_STORY, "dich_vu_cong", "tieu_cuc", "critical", 0, now - timedelta(hours=3), 3),
        "drug": (DRUG_STORY, "ma_tuy", "tich_cuc", "normal", 2, now - timedelta(hours=20), 1),
        "traffic": (TRAFFIC_STORY, "giao_thong", "tieu_cuc", "high", 1, now - timedelta(hours=30), 2),
        "script": (
            (
                '<script>alert("xss")</script> Tin đồn về Công an tỉnh Kon Tum',
                "Bài đăng lan truyền trên mạng.",
            ),
            "khac",
            "tieu_cuc",
            "normal",
            2,
            now - timedelta(hours=1),
            1,
        ),
    }
    ids: dict[str, int] = {}
    with db.write() as s:
        outlets = [
            seed_source(s, key="baokontum", name="Báo Kon Tum", weight=1.5),
            seed_source(s, key="thanhnien", name="Thanh Niên"),
            seed_source(s, key="vnexpress", name="VnExpress"),
        ]
        for name, ((title, text), topic, tone, prio, rank, at, copies) in stories.items():
            articles = [
                seed_article(
                    s, outlets[i], title, text, at=at + timedelta(minutes=40 * i), topic=topic, tone=tone
                )
                for i in range(copies)
            ]
            story = StoryRow(
                title=title,
                first_article_id=articles[0],
                first_source_id=outlets[0],
                first_seen_at=at,
                last_seen_at=at + timedelta(minutes=40 * (copies - 1)),
                article_count=copies,
                outlet_count=copies,
                outlets=["Báo Kon Tum", "Thanh Niên", "VnExpress"][:copies],
                targets=["ca-kon-tum"],
                topic=topic,
                topic_reason="từ khóa: căn cước, xếp hàng" if topic == "dich_vu_cong" else "từ khóa chủ đề",
                tone=tone,
                tone_score=0.82,
                tone_reason="từ ngữ phản ánh bức xúc: chờ đợi, chưa được giải quyết",
                flagged=True,
                flag_reasons=["Nhắc đến Công an tỉnh Kon Tum và có giọng điệu tiêu cực"],
                max_outlet_weight=1.5,
                updated_at=at,
            )
            s.add(story)
            s.flush()
            for aid in articles:
                s.add(StoryArticleRow(article_id=aid, story_id=story.id, joined_at=at))
            hours = {"critical": 2, "high": 24, "normal": 72}[prio]
            case = CaseRow(
                story_id=story.id,
                state="new",
                priority=prio,
                priority_rank=rank,
                priority_reasons=[f"mức {prio}"] if prio != "normal" else [],
                priority_locked=False,
                opened_at=at,
                deadline_at=at + timedelta(hours=hours),
                updated_at=at,
                version=1,
            )
            s.add(case)
            s.flush()
            ids[name] = case.id
    return ids
