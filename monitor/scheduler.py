"""The daemon's wiring: APScheduler 3 drives time; one scheduler per database, enforced by a lease.

APScheduler 3 runs every job once per process that shares a job store, so two `monitor run` on one
database would fetch everything twice: the second waits for the lease or exits with a clear message.
Jobs use coalesce=True and max_instances=1: after a 2-hour outage each job runs once, not 120 times.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TypeVar

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.errors import SchedulerLockedError
from monitor.settings import DAEMON_JOB_TIMEOUT, DAEMON_LEASE_TTL, DAEMON_MISFIRE_GRACE, DAEMON_TICK
from monitor.store import claims, leases
from monitor.store.db import Database
from monitor.timefmt import LOCAL_TZ, fmt_datetime

T = TypeVar("T")

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class SchedulerOptions:
    """Timing of the daemon (defaults suit production; tests shrink them)."""

    tick: timedelta = DAEMON_TICK  # how often due sources are looked for
    lease_ttl: timedelta = DAEMON_LEASE_TTL
    job_timeout: timedelta = DAEMON_JOB_TIMEOUT  # a hung pass is cut off after this
    misfire_grace: timedelta = DAEMON_MISFIRE_GRACE
    notify_tick: timedelta = timedelta(minutes=1)  # alerts, digest catch-up and retries
    wait_for_lease: bool = False


@dataclass(frozen=True)
class Every:
    """Run a job every `interval`, the first time as soon as the daemon starts."""

    interval: timedelta


@dataclass(frozen=True)
class DailyAt:
    """Run a job once a day at `time` ("HH:MM", Asia/Ho_Chi_Minh); `grace`: how late it may still run."""

    time: str
    grace: timedelta | None = None  # None: the daemon's misfire_grace


Schedule = Every | DailyAt


def holder_id() -> str:
    """host:pid — names this process in the lease and in messages."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


def holder_is_gone(holder: str, hostname: str, alive: Callable[[int], bool]) -> bool:
    """Whether a lease holder "host:pid" is a process of this host that no longer exists (pure).

    A holder on another host is never judged: only its lease's expiry frees it.
    """
    host, _, pid = holder.rpartition(":")
    return host == hostname and pid.isdigit() and not alive(int(pid))


@dataclass(frozen=True)
class LeaseEvents:
    """What the daemon tells its caller while it gets the lease (the CLI prints it)."""

    waiting: Callable[[leases.Lease], object] | None = None  # another holder: we wait for it
    taken_over: Callable[[str], object] | None = None  # the holder's process is gone: its lease is ours


def acquire_or_explain(
    db: Database,
    holder: str,
    opts: SchedulerOptions,
    stop: threading.Event,
    events: LeaseEvents | None = None,
) -> None:
    """Take the scheduler lease, waiting if asked; otherwise raise a Vietnamese explanation.

    A lease whose holder was a process of this host that no longer exists (kill -9, power loss) is
    taken at once instead of waiting for it to expire. Returns without the lease only when `stop` is
    set while waiting.
    """
    ev = events or LeaseEvents()
    told = False
    while True:
        now = datetime.now(UTC)
        gone = None
        with db.write() as session:
            got = leases.try_acquire(session, LEASE_NAME, holder, now, opts.lease_ttl)
            other = None if got else leases.current(session, LEASE_NAME)
            if other is not None and holder_is_gone(other.holder, socket.gethostname(), pid_alive):
                got = leases.take_over(session, LEASE_NAME, other.holder, holder, now, opts.lease_ttl)
                gone = other.holder if got else None
                if gone is not None:  # its work claims (PostgreSQL passes claim like workers) go too
                    claims.release_all_of(session, gone)
        if gone is not None:
            log.warning("took over the lease of a dead process holder=%s", gone)
            if ev.taken_over:
                ev.taken_over(gone)
        if got:
            return
        if opts.wait_for_lease and stop.is_set():
            return  # asked to stop while waiting: nothing to explain
        if not opts.wait_for_lease:
            who = other.holder if other else "?"
            since = fmt_datetime(other.acquired_at) if other else "?"
            until = fmt_datetime(other.expires_at) if other else "?"
            raise SchedulerLockedError(
                f"Một tiến trình `monitor run` khác ({who}) đang điều khiển cơ sở dữ liệu này "
                f"từ {since} (giữ quyền đến {until}, tự gia hạn khi còn chạy). Chỉ được chạy một bộ "
                "lập lịch; dùng --wait để chờ nó dừng.",
                detail=f"lease held by {who}",
            )
        log.info("waiting for scheduler lease holder=%s", other.holder if other else None)
        if not told and other is not None and ev.waiting:
            ev.waiting(other)
            told = True
        stop.wait(min(opts.lease_ttl.total_seconds() / 4, 15))


def run_with_timeout(coro_factory: Callable[[threading.Event], Awaitable[T]], timeout: timedelta) -> T:
    """Run an async job with a wall-clock cut-off (a hung job never blocks the next ones).

    The coroutine is cancelled at the deadline; work it runs in threads (analysis) cannot be cancelled,
    so the job also gets an Event, set at the deadline, that such work checks between batches.
    """
    cancel = threading.Event()

    async def guarded() -> T:
        try:
            async with asyncio.timeout(timeout.total_seconds()):
                return await coro_factory(cancel)
        except TimeoutError:
            cancel.set()
            raise

    return asyncio.run(guarded())


def _trigger(schedule: Schedule) -> IntervalTrigger | CronTrigger:
    if isinstance(schedule, Every):
        return IntervalTrigger(seconds=max(schedule.interval.total_seconds(), 0.001))
    hour, minute = (int(x) for x in schedule.time.split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=LOCAL_TZ)


def build_scheduler(
    db: Database,
    opts: SchedulerOptions,
    jobs: Mapping[str, tuple[Schedule, Callable[[], object]]],
    holder: str,
) -> BlockingScheduler:
    """A BlockingScheduler with the lease heartbeat and each job on its schedule, all with one policy."""
    sched = BlockingScheduler(timezone=LOCAL_TZ)
    # Every job: missed runs collapse into one, never two at once, late runs within the grace time.
    policy = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": int(opts.misfire_grace.total_seconds()),
    }

    def heartbeat() -> None:
        with db.write() as session:
            if leases.try_acquire(session, LEASE_NAME, holder, datetime.now(UTC), opts.lease_ttl) is None:
                log.error("scheduler lease lost holder=%s; stopping", holder)
                sched.shutdown(wait=False)

    sched.add_job(
        heartbeat, IntervalTrigger(seconds=max(1, opts.lease_ttl.total_seconds() / 3)), id="lease", **policy
    )
    for name, (schedule, job) in jobs.items():
        first = {"next_run_time": datetime.now(LOCAL_TZ)} if isinstance(schedule, Every) else {}
        own = {**policy}
        if isinstance(schedule, DailyAt) and schedule.grace is not None:
            own["misfire_grace_time"] = int(schedule.grace.total_seconds())
        sched.add_job(job, _trigger(schedule), id=name, **first, **own)
    return sched


def run_daemon(
    db: Database,
    opts: SchedulerOptions,
    jobs: Mapping[str, tuple[Schedule, Callable[[threading.Event], object]]],
    events: LeaseEvents | None = None,
    on_started: Callable[[], object] | None = None,
) -> None:
    """Acquire the lease, run the scheduler until SIGINT/SIGTERM, let the running job end, release the lease.

    Each job is called with the daemon's stop Event: long jobs check it between stages and batches.
    """
    holder = holder_id()
    stop = threading.Event()
    running = threading.Lock()  # held while a job runs: the lease is released only after it ends

    def wrap(job: Callable[[threading.Event], object]) -> Callable[[], object]:
        def guarded() -> object:
            with running:
                return job(stop)

        return guarded

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    sched: BlockingScheduler | None = None

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal received signum=%d; stopping", signum)
        stop.set()
        if sched is not None and sched.running:
            sched.shutdown(wait=False)

    for s in previous:
        signal.signal(s, on_signal)
    try:
        acquire_or_explain(db, holder, opts, stop, events)
        if stop.is_set():
            return
        log.info("scheduler started holder=%s", holder)
        if on_started:
            on_started()
        wrapped = {name: (schedule, wrap(job)) for name, (schedule, job) in jobs.items()}
        sched = build_scheduler(db, opts, wrapped, holder)
        sched.start()  # blocks until shutdown
        # shutdown(wait=False) returned at once; the job that was running sees `stop` and ends soon.
        if not running.acquire(timeout=opts.job_timeout.total_seconds()):
            log.error("running job did not stop in time holder=%s", holder)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        with db.write() as session:
            leases.release(session, LEASE_NAME, holder)
        log.info("scheduler stopped holder=%s", holder)
