"""Server-side sessions in our own database (Flask's SessionInterface; the cookie holds only a random id).

- The id is 256 random bits (`secrets.token_urlsafe(32)`); the table stores its SHA-256.
- Rotated at log-in (`rotate_session()`): the old row is deleted and a new id issued, so an id planted
  before log-in is worthless after it (session fixation, OWASP ASVS 3.2.1).
- Deleted at log-out (`end_session()`); idle and absolute timeouts are checked on every request.
- A session that holds nothing is never stored and sets no cookie.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from monitor.accounts.policy import session_alive
from monitor.store import web_sessions as store

if TYPE_CHECKING:
    from monitor.store.users import User as StoredUser
    from monitor.web.settings import WebContext

USER_KEY = "_user_id"  # Flask-Login's key


class DbSession(CallbackDict[str, Any], SessionMixin):
    """A session dict that remembers whether it changed, and whether to rotate or end it."""

    def __init__(self, data: dict[str, Any] | None = None, token: str | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.token = token
        self.new = token is None
        self.modified = False
        self.rotate = False
        self.ended = False
        self.touch = False
        self.user: StoredUser | None = None  # the session's user, read with the session (see security)


def rotate_session(session: Any) -> None:
    """Issue a new session id at the end of this request (call at log-in)."""
    if isinstance(session, DbSession):
        session.rotate = True


def end_session(session: Any) -> None:
    """Delete the session row and its cookie at the end of this request (call at log-out)."""
    if isinstance(session, DbSession):
        session.clear()
        session.ended = True


def _client_addr() -> str:
    from flask import g

    return str(getattr(g, "client_addr", "?"))


class DbSessionInterface(SessionInterface):
    """Flask sessions stored in the `web_sessions` table."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def open_session(self, app: Flask, request: Request) -> DbSession:
        """Load the session named by the cookie if it exists and is within its timeouts."""
        token = request.cookies.get(self.ctx.settings.cookie_name)
        if not token or len(token) > 100:
            return DbSession()
        now = datetime.now(UTC)
        with self.ctx.db.read() as s:
            stored = store.load_session(s, token)
        if stored is None:
            return DbSession()
        policy = self.ctx.settings.policy
        if not session_alive(stored.created_at, stored.last_seen_at, now, policy):
            with self.ctx.db.write() as s:
                store.delete_session(s, token)
            return DbSession()
        sess = DbSession(stored.data, token)
        sess.user = stored.user
        sess.touch = now - stored.last_seen_at >= timedelta(seconds=policy.touch_seconds)
        return sess

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write what changed; rotate or end the session when asked; set or delete the cookie."""
        assert isinstance(session, DbSession)
        settings = self.ctx.settings
        name = settings.cookie_name
        cookie = dict(
            path="/",
            httponly=True,
            secure=settings.https,
            samesite="Lax",
        )
        now = datetime.now(UTC)
        if session.ended:
            if session.token:
                with self.ctx.db.write() as s:
                    store.delete_session(s, session.token)
            response.delete_cookie(name, path="/", secure=settings.https, httponly=True, samesite="Lax")
            return
        data = dict(session)
        user_id = _user_id(data)
        if session.token and session.rotate:
            with self.ctx.db.write() as s:
                store.delete_session(s, session.token)
            session.token = None
        if session.token is None:
            if not data:
                return
            token = secrets.token_urlsafe(32)  # 256 bits
            with self.ctx.db.write() as s:
                store.create_session(s, token, user_id, data, _client_addr(), now)
            response.set_cookie(name, token, **cookie)  # type: ignore[arg-type]
            response.vary.add("Cookie")
            return
        if session.modified or session.touch:
            with self.ctx.db.write() as s:
                if session.modified:
                    store.save_session(s, session.token, user_id, data)
                if session.touch:
                    store.touch_session(s, session.token, now)


def _user_id(data: dict[str, Any]) -> int | None:
    value = data.get(USER_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
