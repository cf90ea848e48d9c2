"""The application object and the daemon's job registry, through the real scheduler and database."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta
from pathlib import Path

from monitor.app import JOBS, App, DaemonOptions, Job, daemon_jobs
from monitor.config import parse_config
from monitor.scheduler import Every, SchedulerOptions, run_daemon
from monitor.settings import Settings

CONFIG = parse_config(
    '[[watch]]\nkey = "ca-kon-tum"\nkind = "unit"\nname = "Công an tỉnh Kon Tum"\n', Path("sources.toml")
)


def _app(tmp_path: Path) -> App:
    settings = Settings(config_path=tmp_path / "absent.toml", database_url=f"sqlite:///{tmp_path / 'a.db'}")
    return App(settings, config=CONFIG)


def test_opens_once_and_lazily(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert not (tmp_path / "a.db").exists()  # nothing opened before it is asked for
    assert app.db is app.db and (tmp_path / "a.db").exists()
    assert app.config is CONFIG and app.names().target("ca-kon-tum") == "Công an tỉnh Kon Tum"
    app.close()
    with app.db.read():  # reopened after close
        pass
    app.close()
    bare = App(Settings(config_path=tmp_path / "absent.toml", database_url="sqlite://"))
    assert bare.names().targets == {}  # no config file: names are optional for the views


def test_the_daemon_starts_every_registered_job(tmp_path: Path) -> None:
    """JOBS holds the fetch pass; one more Job line is all a new job needs to be started by `monitor run`."""
    assert [job.name for job in JOBS] == ["pass", "digest", "notify"]
    app = _app(tmp_path)
    seen: list[tuple[App, bool]] = []

    def probe(a: App, opts: DaemonOptions, stop: threading.Event) -> None:
        seen.append((a, opts.analysis))
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl+C does: the daemon stops and releases its lease

    jobs = (*JOBS, Job("probe", lambda a, o: Every(timedelta(milliseconds=200)), probe))
    opts = DaemonOptions(SchedulerOptions(tick=timedelta(seconds=30)), analysis=False)
    bound = daemon_jobs(app, opts, jobs)
    assert bound["pass"][0] == Every(timedelta(seconds=30))
    run_daemon(app.db, opts.scheduler, bound)
    assert seen and seen[0] == (app, False)
    app.close()
