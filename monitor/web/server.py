"""The production WSGI server (gunicorn, the only module that imports it) around create_app.

Gunicorn's pre-fork workers each build their own app and database engine after the fork (no preload), so
no connection is shared between processes. Flask's development server is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def serve(factory: Callable[[], Any], host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve the app built by `factory` in each worker until stopped (Ctrl+C / SIGTERM)."""
    _Server(
        factory,
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": threads,  # gthread: a slow request does not hold a whole worker
            "worker_class": "gthread",
            "preload_app": False,
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "limit_request_line": 8190,
            "forwarded_allow_ips": "127.0.0.1",
        },
    ).run()
