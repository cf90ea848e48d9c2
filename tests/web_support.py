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
