"""The alerts stage: find what is owed (collect), then send what is ready (deliver). Idempotent; run often."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from monitor.alerts import message
from monitor.alerts.rules import EVENT_ACTIONS, WEBHOOK, Waiting, alerts_for, ready_batches, triggers
from monitor.config import Config
from monitor.errors import DeliveryError, PermanentDeliveryError
from monitor.mail import address, build_message, new_message_id, parse_sender
from monitor.store import alert_facts, alert_outbox
from monitor.store.db import Database

log = logging.getLogger(__name__)

DEFAULT_SENDER = "monitor@localhost"


class Mailer(Protocol):
    """Delivers an EmailMessage or raises a DeliveryError (SmtpSender)."""

    def send(self, msg: EmailMessage) -> None:
        """Deliver."""


class Poster(Protocol):
    """Delivers a JSON body or raises a DeliveryError (WebhookPoster)."""

    def post(self, payload: dict[str, Any]) -> None:
        """Deliver."""


@dataclass(frozen=True)
class AlertReport:
    """What one run of the stage did."""

    queued: int
    sent: int
    retry: int
    failed: int


def collect(db: Database, config: Config, now: datetime) -> int:
    """Queue every alert owed for recent events; how many are new (repeats are dropped by the outbox)."""
    settings = config.alerts
    since = now - timedelta(hours=settings.lookback_hours)
    with db.read() as s:
        events = alert_facts.recent_events(s, since, EVENT_ACTIONS)
        late = alert_facts.overdue_since(s, since, now)
        cases = alert_facts.case_signals(s, {e.case_id for e in events} | set(late))
        people = alert_facts.people(s)
    owed = alerts_for(triggers(events, late, cases), cases, people, settings)
    rows = [
        {
            "case_id": a.case_id,
            "event": a.event,
            "event_key": a.event_key,
            "recipient": a.recipient,
            "recipient_name": a.recipient_name,
            "urgent": a.urgent,
            "reason": a.reason,
            "title": a.title,
        }
        for a in owed
    ]
    with db.write() as s:
        return alert_outbox.enqueue(s, rows, now)


def deliver(
    db: Database, config: Config, now: datetime, mailer: Mailer, poster: Poster | None
) -> AlertReport:
    """Send every ready batch (one mail per recipient listing its alerts; one POST for the webhook)."""
    settings = config.alerts
    with db.read() as s:
        waiting = alert_outbox.due(s, now)
    by_id = {a.id: a for a in waiting}
    batches = ready_batches(
        [Waiting(a.id, a.recipient, a.urgent, a.created_at) for a in waiting], now, settings
    )
    sender = parse_sender(config.digest.sender, config.smtp.username or DEFAULT_SENDER)
    sent = retry = failed = 0
    for ids in batches:
        message_id = new_message_id(sender)
        with db.write() as s:
            won = alert_outbox.claim(s, ids, message_id, now)
        if not won:
            continue
        batch = [by_id[i] for i in won]
        recipient = batch[0].recipient
        try:
            if recipient == WEBHOOK:
                if poster is None:
                    raise PermanentDeliveryError("Chưa cấu hình webhook_url.")
                poster.post(message.webhook_payload(batch, config.web.base_url))
            else:
                mailer.send(
                    build_message(
                        subject=message.subject(batch),
                        sender=sender,
                        to=[address(batch[0].recipient_name, recipient)],
                        text=message.text_body(batch, config.web.base_url),
                        html=message.html_body(batch, config.web.base_url),
                        message_id=message_id,
                        now=now,
                    )
                )
        except DeliveryError as exc:
            with db.write() as s:
                attempts = alert_outbox.attempts_of(s, won)
                if isinstance(exc, PermanentDeliveryError) or attempts >= settings.max_attempts:
                    alert_outbox.finish(s, won, alert_outbox.FAILED, now, error=exc.message)
                    failed += len(won)
                    log.error("alert failed recipient=%s error=%s", recipient, exc)
                else:
                    at = now + timedelta(minutes=settings.retry_minutes * 2 ** (attempts - 1))
                    alert_outbox.finish(
                        s, won, alert_outbox.RETRY, now, error=exc.message, next_attempt_at=at
                    )
                    retry += len(won)
                    log.warning("alert will be retried recipient=%s error=%s", recipient, exc)
            continue
        except Exception as exc:
            with db.write() as s:
                alert_outbox.finish(s, won, alert_outbox.FAILED, now, error=f"lỗi nội bộ: {exc!r}")
            raise
        with db.write() as s:
            alert_outbox.finish(s, won, alert_outbox.SENT, now)
        sent += len(won)
        log.info("alerts sent recipient=%s count=%d message_id=%s", recipient, len(won), message_id)
    return AlertReport(0, sent, retry, failed)


def run_alerts(
    db: Database, config: Config, now: datetime, mailer: Mailer, poster: Poster | None
) -> AlertReport:
    """The daemon's alerts job: collect, then deliver what is ready."""
    if not config.alerts.enabled:
        return AlertReport(0, 0, 0, 0)
    queued = collect(db, config, now)
    report = deliver(db, config, now, mailer, poster)
    return AlertReport(queued, report.sent, report.retry, report.failed)
