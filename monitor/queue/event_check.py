"""`monitor db check`: replay each case's events and report where the stored record disagrees.

The events are the truth (append-only, hash-chained); the `cases` row is a summary of them. A direct
`UPDATE cases …` behind the log's back, or a deleted/altered event, shows here as a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.store.event_chain import StoredCase, StoredEvent, cases_with_events, event_hash
from monitor.vocab import label

if TYPE_CHECKING:
    from monitor.store.db import Database

_NO_HOLDER = ("release", "verify", "reopen")  # actions that end a claim
_PRIORITY_FROM = ("open", "priority", "set_priority")  # events that carry a priority


@dataclass(frozen=True)
class Replayed:
    """What a case's events say its record should be."""

    state: str | None = None
    priority: str | None = None
    claimed_by: int | None = None
    verdict: str | None = None
    version: int = 0


def replay(events: Sequence[StoredEvent]) -> Replayed:
    """Fold a case's events, oldest first, into the record they imply (pure)."""
    r = Replayed()
    for e in events:
        f = e.fields
        action, data = f["action"], f["data"] or {}
        state, priority, holder, verdict = f["to_state"], r.priority, r.claimed_by, r.verdict
        if action in _PRIORITY_FROM and data.get("priority"):
            priority = str(data["priority"])
        if action == "claim":
            holder = f["actor_id"]
        elif action in _NO_HOLDER:
            holder = None
        if action == "verify" and data.get("verdict"):
            verdict = str(data["verdict"])
        elif action == "reopen":
            verdict = None
        r = Replayed(state, priority, holder, verdict, int(f["version"]))
    return r


def broken_links(events: Sequence[StoredEvent]) -> list[int]:
    """Ids of events whose chain hash does not follow from the event before them (pure)."""
    bad, prev = [], None
    for e in events:
        if e.chain_hash != event_hash(prev, e.fields):
            bad.append(e.id)
        prev = e.chain_hash
    return bad


def findings_for(case: StoredCase, events: Sequence[StoredEvent]) -> list[str]:
    """Vietnamese sentences for every way the stored case disagrees with its events (pure)."""
    head = f"Vụ việc #{case.id}:"
    if not events:
        return [f"{head} không còn sự kiện nào trong nhật ký."]
    out = [
        f"{head} sự kiện #{i} bị sửa, hoặc sự kiện trước nó bị xóa hay chèn thêm (chuỗi băm không khớp)."
        for i in broken_links(events)
    ]
    r = replay(events)

    def holder(v: int | None) -> str:
        return str(v) if v is not None else "không ai"

    checks = (
        ("trạng thái", case.state != r.state, label(case.state), label(r.state)),
        ("mức ưu tiên", case.priority != r.priority, label(case.priority), label(r.priority)),
        ("người giữ (mã)", case.claimed_by != r.claimed_by, holder(case.claimed_by), holder(r.claimed_by)),
        ("kết luận", case.verdict != r.verdict, label(case.verdict, "chưa có"), label(r.verdict, "chưa có")),
        ("phiên bản", case.version != r.version, str(case.version), str(r.version)),
    )
    for what, differs, stored, expected in checks:
        if differs:
            out.append(f"{head} {what} lưu là “{stored}” nhưng nhật ký nói “{expected}”.")
    return out


@dataclass(frozen=True)
class CheckReport:
    """The outcome of `monitor db check`."""

    cases: int
    events: int
    findings: tuple[str, ...]


def check_database(db: Database) -> CheckReport:
    """Replay every case and verify every chain (read-only)."""
    cases = events = 0
    findings: list[str] = []
    with db.read() as session:
        for case, evs in cases_with_events(session):
            cases += 1
            events += len(evs)
            findings.extend(findings_for(case, evs))
    return CheckReport(cases, events, tuple(findings))
