"""The application: settings, configuration, database and models opened once, and the daemon's jobs.

Every edge holds one `App`: the CLI builds it from its global options, the daemon (`monitor run`) and the
web app from the environment. Nothing is opened before it is asked for (`--help` does no work): the
configuration is read and validated on first use, the database migrated on first use, the NLP models
loaded on first use and then kept for the life of the process.

Daemon jobs
-----------
`JOBS` below is the one list of what `monitor run` does; `cli/run.py` only starts them. A job is a name,
a schedule (`Every(seconds)` or `DailyAt("HH:MM")`, Vietnam time) computed from the app and the daemon's
options, and a function `(app, options, stop) -> None` that checks the `stop` Event between batches.
The scheduler gives every job the same policy (missed runs collapse into one, never two at once). To add
one, write its function and append one line, e.g.::

    Job("digest", lambda app, opts: DailyAt(app.config.digest.time), send_digest),
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from monitor.settings import Settings

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.nlp.train import LabelledExample
    from monitor.pipeline import PassReport
    from monitor.pipeline.analyse import Analysers
    from monitor.queue.inputs import Names
    from monitor.scheduler import Schedule, SchedulerOptions
    from monitor.store.db import Database

log = logging.getLogger(__name__)


class App:
    """One process's view of the system: settings, and the config, database and models opened lazily."""

    def __init__(
        self,
        settings: Settings,
        *,
        config: Config | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        """`config`, when given, is used instead of reading `settings.config_path` (the demo's outlets).

        `on_notice` is told the configuration's notices (e.g. no [[watch]]: the default targets are used);
        the edge decides how to show them.
        """
        self.settings = settings
        self._config = config
        self._on_notice = on_notice
        self._db: Database | None = None
        self._analysers: Analysers | None = None
        self._lock = threading.Lock()

    @property
    def config(self) -> Config:
        """The validated sources.toml (a ConfigError carries the Vietnamese sentence)."""
        if self._config is None:
            from monitor.config import load_config

            self._config = load_config(self.settings.config_path)
            for notice in self._config.notices:
                log.info("config notice: %s", notice)
                if self._on_notice is not None:
                    self._on_notice(notice)
        return self._config

    @property
    def db(self) -> Database:
        """The database, migrated to the latest schema on first use."""
        if self._db is None:
            from monitor.store.db import Database

            db = Database(self.settings.database_url)
            db.migrate()
            self._db = db
        return self._db

    def analysers(self) -> Analysers:
        """The matcher and the topic/tone models, loaded once (the retrained ones if settings name them)."""
        with self._lock:
            if self._analysers is None:
                from monitor.pipeline.analyse import Analysers

                self._analysers = Analysers.load(self.config, self.settings.models_dir)
            return self._analysers

    def names(self, *, required: bool = False) -> Names:
        """Display names of watch targets and outlets; without a config file, none (unless `required`)."""
        from monitor.queue.inputs import Names

        if not required and self._config is None and not self.settings.config_path.is_file():
            return Names()
        return Names.from_config(self.config)

    def labelled_examples(self) -> list[LabelledExample]:
        """Training examples from decided cases (verdicts and corrections) in the database."""
        from monitor.nlp.train import LabelledExample
        from monitor.store.corrections import labelled_examples

        with self.db.read() as session:
            rows = labelled_examples(session)
        return [
            LabelledExample(text=r["text"], topic=r["topic"], tone=r["tone"], source=r["source"])
            for r in rows
        ]

    def close(self) -> None:
        """Release the database connections and stop the analysis processes (the app can be opened again)."""
        if self._analysers is not None:
            self._analysers.close()
            self._analysers = None
        if self._db is not None:
            self._db.dispose()
            self._db = None


# --- the daemon's jobs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaemonOptions:
    """How `monitor run` runs: the scheduler's timing and what each pass does."""

    scheduler: SchedulerOptions
    analysis: bool = True  # False: fetch only (`--no-analysis`)
    # Told after every pass: (report or None when the pass failed or was cut off, seconds); the CLI prints it.
    on_pass: Callable[[PassReport | None, float], None] | None = None


JobFunction = Callable[[App, DaemonOptions, threading.Event], None]


@dataclass(frozen=True)
class Job:
    """One thing the daemon does on a schedule."""

    name: str
    schedule: Callable[[App, DaemonOptions], Schedule]
    run: JobFunction = field(repr=False)


def fetch_pass(app: App, opts: DaemonOptions, stop: threading.Event) -> None:
    """Fetch due sources, their pages, analyse and queue; cut off after the job timeout; never raises."""
    from monitor.pipeline import run_pass_async
    from monitor.scheduler import run_with_timeout

    if stop.is_set():
        return
    timeout = opts.scheduler.job_timeout
    started = time.monotonic()
    report: PassReport | None = None
    claim = None
    if app.db.dialect == "postgresql":  # beside `monitor worker`s, the daemon's passes claim like a worker
        from monitor.scheduler import holder_id
        from monitor.store.claims import Claim

        claim = Claim(holder_id(), timeout + timedelta(minutes=5))
    try:
        report = run_with_timeout(
            lambda cancel: run_pass_async(
                app.db,
                app.config,
                only_due=True,
                analysers=app.analysers if opts.analysis else None,
                stop=lambda: stop.is_set() or cancel.is_set(),
                claim=claim,
            ),
            timeout,
        )
        log.info("pass done", extra={"sources": len(report.sources)})
    except TimeoutError:
        log.error("pass cut off", extra={"job_timeout": timeout})
    except Exception:  # the daemon must survive a bad pass; the next tick tries again
        log.exception("pass failed")
    if opts.on_pass is not None:
        opts.on_pass(report, time.monotonic() - started)


def _every_tick(app: App, opts: DaemonOptions) -> Schedule:
    from monitor.scheduler import Every

    return Every(opts.scheduler.tick)


def send_digest(app: App, opts: DaemonOptions, stop: threading.Event) -> None:
    """Send the digest that is due to whoever has not had it (idempotent; see monitor.digest.service)."""
    from datetime import UTC, datetime

    from monitor.digest.service import send_due
    from monitor.mail import SmtpSender

    if stop.is_set():
        return
    try:
        send_due(app.db, app.config, datetime.now(UTC), SmtpSender(app.config.smtp))
    except Exception:  # the daemon survives; the outbox shows what is owed (monitor status)
        log.exception("digest job failed")


def notify(app: App, opts: DaemonOptions, stop: threading.Event) -> None:
    """Alerts (collect and deliver), then the digest again: its catch-up on start and its retries."""
    from datetime import UTC, datetime

    from monitor.alerts.service import run_alerts
    from monitor.alerts.webhook import WebhookPoster
    from monitor.mail import SmtpSender

    if stop.is_set():
        return
    config = app.config
    if config.alerts.enabled:
        poster = WebhookPoster(config.alerts.webhook_url) if config.alerts.webhook_url else None
        try:
            run_alerts(app.db, config, datetime.now(UTC), SmtpSender(config.smtp), poster)
        except Exception:
            log.exception("alerts job failed")
    send_digest(app, opts, stop)


def _digest_time(app: App, opts: DaemonOptions) -> Schedule:
    from datetime import timedelta

    from monitor.scheduler import DailyAt

    # generous grace: a daemon busy or restarted around 07:00 still sends on time-ish (coalesced to one)
    return DailyAt(app.config.digest.time, grace=timedelta(hours=12))


def _every_minute(app: App, opts: DaemonOptions) -> Schedule:
    from monitor.scheduler import Every

    return Every(opts.scheduler.notify_tick)


JOBS: tuple[Job, ...] = (
    Job("pass", _every_tick, fetch_pass),
    # The digest at its time, and (through `notify`, which first runs as the daemon starts) a catch-up
    # with the same idempotent function: a daemon down at 07:00 sends once when back, never twice.
    Job("digest", _digest_time, send_digest),
    Job("notify", _every_minute, notify),
)


def daemon_jobs(
    app: App, opts: DaemonOptions, jobs: tuple[Job, ...] = JOBS
) -> dict[str, tuple[Schedule, Callable[[threading.Event], None]]]:
    """Each job's schedule and its function bound to `app` and `opts`, as the scheduler takes them."""

    def bind(job: Job) -> Callable[[threading.Event], None]:
        return lambda stop: job.run(app, opts, stop)

    return {job.name: (job.schedule(app, opts), bind(job)) for job in jobs}
