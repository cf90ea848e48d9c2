"""`monitor status` as data: the daemon, failing sources, the last digest per recipient, alerts, overdue cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.config import Config
from monitor.store import alert_outbox, leases, outbox, status
from monitor.store.alert_outbox import AlertEntry
from monitor.store.db import Database
from monitor.store.outbox import OutboxEntry

SCHEDULER_LEASE = "scheduler"  # monitor.scheduler.LEASE_NAME (the scheduler sits beside us, not below)


@dataclass(frozen=True)
class StatusReport:
    """Everything `monitor status` shows, as of `now`."""

    now: datetime
    lease: leases.Lease | None
    last_pass_at: datetime | None
    next_pass_at: datetime | None
    failing: list[status.FailingSource]
    recipients: list[str]  # configured digest readers
    digests: dict[str, OutboxEntry]  # latest row per recipient
    stuck_digests: list[OutboxEntry]  # left `sending`: an operator must look
    alert_counts: dict[str, int]
    alert_problems: list[AlertEntry]  # failed, or left `sending`
    overdue_total: int
    overdue: list[status.LateCase]

    @property
    def daemon_alive(self) -> bool:
        """Whether a daemon holds an unexpired lease."""
        return self.lease is not None and self.lease.expires_at >= self.now


def status_report(db: Database, config: Config, now: datetime) -> StatusReport:
    """Read everything `monitor status` shows in one transaction."""
    with db.read() as s:
        total, late = status.overdue_cases(s, now)
        return StatusReport(
            now=now,
            lease=leases.current(s, SCHEDULER_LEASE),
            last_pass_at=status.last_pass_at(s),
            next_pass_at=status.next_pass_at(s),
            failing=status.failing_sources(s),
            recipients=[r.address for r in config.digest.recipient],
            digests={e.recipient: e for e in outbox.latest_digest_entries(s)},
            stuck_digests=outbox.entries_in_state(s, outbox.SENDING),
            alert_counts=alert_outbox.counts_by_state(s),
            alert_problems=alert_outbox.in_state(s, (alert_outbox.FAILED, alert_outbox.SENDING)),
            overdue_total=total,
            overdue=late,
        )
