"""The web app: a thin Flask edge over the same domain functions the CLI calls.

Layout: `create_app(WebContext)` builds the app; one blueprint per area (`auth`, `queue`, `cases`,
`search`, `admin`, …), each in its own module with a module-level `bp`; templates in `templates/`
(one folder per blueprint when it has several), static files (vendored htmx 2.x, css, js) in `static/`.

Adding a blueprint (e.g. the responses area):
    1. `monitor/web/responses.py`:  `bp = Blueprint("responses", __name__, url_prefix="/responses")`
    2. add `"monitor.web.responses"` to `BLUEPRINTS` below.
    3. templates extend "base.html" and fill `{% block content %}`; a section on the case page goes in
       `templates/responses/case_section.html`, which case.html includes (block `response`).

Checking a permission in a route (deny by default is already done for you: every endpoint except
`auth.login` and `static` needs a logged-in, active user, re-read from the database on each request):
    - page-level role gate:  `@roles(Role.ADMIN)` from `monitor.web.security` (refusal audited, 403);
    - on the action and the record: call the domain function with the acting user (`security.actor()`
      or `me().username`) and let it decide (`queue.service.act`, `accounts.service.*`); re-raise
      `PermissionDeniedError` (the role may not: `web.errors` audits it once and answers 403 with its
      sentence), then catch `MonitorError` and flash `exc.message`; never re-implement the rule here;
    - `security.refuse(action, obj)` raises that same error for a refusal you detect yourself.
Every POST needs the CSRF token: forms include `{{ csrf_field() }}`; htmx sends it as `X-CSRFToken`
(set once on <body> in base.html). A POST without it gets 400.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from monitor.web.settings import WebContext

if TYPE_CHECKING:
    from monitor.store.db import Database

# A page shown by GET reads only: its session, its user and the application functions it calls share one
# read scope (store.db.Database.read_scope). Other methods write, then may read what they wrote.
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})

BLUEPRINTS = (
    "monitor.web.auth",
    "monitor.web.queue",
    "monitor.web.cases",
    "monitor.web.search",
    "monitor.web.admin",
    "monitor.web.responses",
    "monitor.web.dashboard",
)


def create_app(context: WebContext, extra: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app around an opened database, the loaded config and the web settings."""
    from monitor.web import errors, render, security
    from monitor.web.sessions import DbSessionInterface

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=context.settings.secret_key,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (server-side, time-limited) session
        WTF_CSRF_SSL_STRICT=context.settings.https,
        MAX_CONTENT_LENGTH=1_000_000,
        TEMPLATES_AUTO_RELOAD=False,
        **(extra or {}),
    )
    app.extensions["monitor"] = context
    app.session_interface = DbSessionInterface(context)
    security.install(app)  # the gate runs before CSRF: a stranger is sent to /login first
    CSRFProtect(app)
    render.install(app)
    errors.install(app)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    app.wsgi_app = one_read_per_page(app.wsgi_app, context.db)  # type: ignore[method-assign]
    return app


def one_read_per_page(
    wsgi_app: Callable[..., Iterable[bytes]], db: Database
) -> Callable[..., Iterable[bytes]]:
    """The app with every GET/HEAD request's reads in one read scope (one pooled connection instead of
    one per application function: under load the round trips cost more than the queries)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in READ_ONLY_METHODS:
            return wsgi_app(environ, start_response)
        with db.read_scope():
            return wsgi_app(environ, start_response)

    return app
