"""The digest's application layer: read a day's facts, build each reader's digest, send it exactly once.

`send_due(db, config, now, sender)` is the one idempotent function the daemon calls at the configured
time, on start (catch-up) and every minute (retries): whatever it finds already sent it leaves alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from monitor.charts import Chart, Series, render_png
from monitor.config import Config, DigestRecipient
from monitor.digest.content import DayFacts, Digest, DigestOptions, Target, build_digest, day_bounds
from monitor.digest.render import Rendered, render
from monitor.errors import DeliveryError, PermanentDeliveryError
from monitor.mail import InlineImage, address, build_message, new_message_id, parse_sender
from monitor.store import digest_facts as q
from monitor.store import outbox
from monitor.store.db import Database
from monitor.timefmt import LOCAL_TZ

log = logging.getLogger(__name__)

DEFAULT_SENDER = "monitor@localhost"


class Sender(Protocol):
    """Anything that delivers an EmailMessage (SmtpSender in production)."""

    def send(self, msg: EmailMessage) -> None:
        """Deliver or raise a DeliveryError."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient's digest in one call."""

    recipient: str
    state: str  # sent | retry | failed | skipped (already sent / being sent / waiting)
    detail: str = ""


def due_day(now: datetime, send_time: str) -> date:
    """The day whose digest is due at `now`: yesterday once today's send time passed, else the day before."""
    local = now.astimezone(LOCAL_TZ)
    hour, minute = (int(x) for x in send_time.split(":"))
    passed = (local.hour, local.minute) >= (hour, minute)
    return local.date() - timedelta(days=1 if passed else 2)


def default_day(now: datetime) -> date:
    """Yesterday in Vietnam time (the CLI's default --date)."""
    return now.astimezone(LOCAL_TZ).date() - timedelta(days=1)


def targets_of(config: Config) -> list[Target]:
    """The watch targets as the digest names them."""
    from monitor.nlp.targets import default_targets

    return [Target(w.key, w.kind, w.name) for w in (config.watches or default_targets())]


def load_facts(db: Database, day: date, now: datetime) -> DayFacts:
    """Every fact the digest of `day` needs, read in one transaction."""
    start, end = day_bounds(day)
    history_start = start - timedelta(days=7)
    as_of = min(now, end)
    with db.read() as s:
        return DayFacts(
            day=day,
            as_of=as_of,
            articles=q.mentioned_articles(s, history_start, end),
            opened=q.opened_cases(s, history_start, end),
            cases=q.digest_cases(s, start, end, as_of),
            events=q.board_events(s, start, end),
            positive=q.stories_first_seen(s, start, end, "tich_cuc"),
            sources=q.source_facts(s, start, end),
            archive_start=q.first_article_at(s),
        )


def options_for(config: Config, only: Sequence[str] = ()) -> DigestOptions:
    """The digest options from the config, for a reader interested in `only` (all when empty)."""
    return DigestOptions(
        targets=targets_of(config),
        only=frozenset(only),
        base_url=config.web.base_url,
        max_stories=config.digest.max_stories,
        spike_factor=config.queue.spike_factor,
        spike_min_articles=config.queue.spike_min_articles,
    )


def build(db: Database, config: Config, day: date, now: datetime, only: Sequence[str] = ()) -> Digest:
    """The digest of `day` (for a reader of `only`), without sending anything."""
    return build_digest(load_facts(db, day, now), options_for(config, only))


def message_for(
    config: Config,
    rendered: Rendered,
    recipient: DigestRecipient,
    message_id: str,
    now: datetime,
    images: Sequence[InlineImage] = (),
) -> EmailMessage:
    """The mail of one rendered digest to one recipient (with inline images its HTML cites by cid:)."""
    sender = parse_sender(config.digest.sender, config.smtp.username or DEFAULT_SENDER)
    return build_message(
        subject=rendered.subject,
        sender=sender,
        to=[address(recipient.name, recipient.address)],
        text=rendered.text,
        html=rendered.html,
        message_id=message_id,
        now=now,
        images=images,
    )


def chart_of(digest: Digest) -> Chart:
    """The 8-day volume chart of a digest, as the web dashboard's chart code draws it."""
    return Chart(
        title=f"Số bài 8 ngày đến {digest.day_text}",
        categories=tuple(b.day_text for b in digest.bars),
        series=(Series("Số bài", tuple(float(b.count) for b in digest.bars), "#b04a4a"),),
        kind="columns",
        value_label="Số bài",
        description="Số bài viết nhắc đến các mục tiêu theo dõi trong 8 ngày gần đây.",
        width=640,
        height=240,
    )


def rendered_with_chart(digest: Digest, domain: str, chart_png: bool) -> tuple[Rendered, list[InlineImage]]:
    """Both parts of the digest, plus the inline PNG chart the HTML cites (when asked for)."""
    if not chart_png:
        return render(digest), []
    cid = f"chart-{digest.day:%Y%m%d}@{domain or 'localhost'}"
    return render(digest, chart_cid=cid), [InlineImage(cid, render_png(chart_of(digest)))]


def send_day(
    db: Database,
    config: Config,
    day: date,
    now: datetime,
    sender: Sender,
    *,
    force: bool = False,
) -> list[Outcome]:
    """Send `day`'s digest to every configured recipient that has not had it; one Outcome each."""
    cfg = config.digest
    sender_addr = parse_sender(cfg.sender, config.smtp.username or DEFAULT_SENDER)
    facts: DayFacts | None = None
    cache: dict[frozenset[str], tuple[Rendered, list[InlineImage]]] = {}
    outcomes = []
    for r in cfg.recipient:
        message_id = new_message_id(sender_addr)
        with db.write() as s:
            won = outbox.claim_digest(s, day, r.address, message_id, now, force=force)
            entry = None if won else outbox.digest_entry(s, day, r.address)
        if not won:
            outcomes.append(Outcome(r.address, "skipped", entry.state if entry else ""))
            continue
        try:
            if facts is None:
                facts = load_facts(db, day, now)
            key = frozenset(r.targets)
            if key not in cache:
                digest = build_digest(facts, options_for(config, r.targets))
                cache[key] = rendered_with_chart(digest, sender_addr.domain, cfg.chart_png)
            rendered, images = cache[key]
            sender.send(message_for(config, rendered, r, message_id, now, images))
        except DeliveryError as exc:
            outcomes.append(_failed(db, day, r.address, exc, cfg.max_attempts, cfg.retry_minutes, now))
            continue
        except Exception as exc:
            # a bug of ours (rendering, say): visible as failed, never retried in a loop. An interrupt
            # (BaseException) during the SMTP call leaves the row `sending` for an operator instead.
            with db.write() as s:
                outbox.finish_digest(s, day, r.address, outbox.FAILED, now, error=f"lỗi nội bộ: {exc!r}")
            raise
        with db.write() as s:
            outbox.finish_digest(s, day, r.address, outbox.SENT, now)
        log.info("digest sent", extra={"recipient": r.address, "message_id": message_id})
        outcomes.append(Outcome(r.address, "sent", message_id))
    return outcomes


def _failed(
    db: Database,
    day: date,
    recipient: str,
    exc: DeliveryError,
    max_attempts: int,
    minutes: float,
    now: datetime,
) -> Outcome:
    with db.write() as s:
        entry = outbox.digest_entry(s, day, recipient)
        attempts = entry.attempts if entry else max_attempts
        if isinstance(exc, PermanentDeliveryError) or attempts >= max_attempts:
            outbox.finish_digest(s, day, recipient, outbox.FAILED, now, error=exc.message)
            log.error("digest failed recipient=%s error=%s", recipient, exc)
            return Outcome(recipient, "failed", exc.message)
        at = now + timedelta(minutes=minutes * 2 ** (attempts - 1))
        outbox.finish_digest(s, day, recipient, outbox.RETRY, now, error=exc.message, next_attempt_at=at)
    log.warning("digest will be retried recipient=%s at=%s error=%s", recipient, at, exc)
    return Outcome(recipient, "retry", exc.message)


def send_due(db: Database, config: Config, now: datetime, sender: Sender) -> list[Outcome]:
    """Send the digest that is due at `now` to whoever has not had it (idempotent: call it often)."""
    if not config.digest.recipient:
        return []
    return send_day(db, config, due_day(now, config.digest.time), now, sender)
