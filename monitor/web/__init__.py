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
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from monitor.web.settings import WebContext

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
    return app
