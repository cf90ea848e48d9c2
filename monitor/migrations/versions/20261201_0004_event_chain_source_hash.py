"""A hash chain over case events (case_events.chain_hash), filled for the events already there; and
sources.config_hash, the fingerprint of a source's sources.toml entry (a changed entry resets its backoff).

Revision ID: 0004
Revises: 0009
Create Date: 2026-12-01
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from monitor.store.event_chain import event_hash

revision = "0004"
down_revision = "0009"
branch_labels = None
depends_on = None

# The append-only triggers of 0002 refuse the UPDATE that fills the hashes: lift them for that one
# statement per row, inside this migration's transaction, and put them back exactly as they were.
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END""",
    """CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END""",
)


def _lift_triggers(lift: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        verb = "DISABLE" if lift else "ENABLE"
        op.execute(f"ALTER TABLE case_events {verb} TRIGGER case_events_no_change")
    elif lift:
        op.execute("DROP TRIGGER IF EXISTS case_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS case_events_no_delete")
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def _fill_hashes() -> None:
    bind = op.get_bind()
    events = sa.table(
        "case_events",
        *(sa.column(c) for c in ("id", "case_id", "actor_id", "action", "from_state", "to_state", "version")),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("note", sa.Text()),
        sa.column("evidence", sa.JSON()),
        sa.column("data", sa.JSON()),
        sa.column("chain_hash", sa.String(64)),
    )
    rows = bind.execute(sa.select(events).order_by(events.c.case_id, events.c.id)).mappings().all()
    if not rows:
        return
    _lift_triggers(True)
    last: dict[int, str] = {}
    for row in rows:
        fields = dict(row)
        at = fields["at"]
        if isinstance(at, str):  # SQLite: stored as naive UTC text
            at = datetime.fromisoformat(at)
        fields["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
        digest = event_hash(last.get(row["case_id"]), fields)
        last[row["case_id"]] = digest
        bind.execute(events.update().where(events.c.id == row["id"]).values(chain_hash=digest))
    _lift_triggers(False)


def upgrade() -> None:
    op.add_column("sources", sa.Column("config_hash", sa.String(length=64), nullable=True))
    op.add_column("case_events", sa.Column("chain_hash", sa.String(length=64), nullable=True))
    _fill_hashes()


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("config_hash")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("case_events", "chain_hash")
        return
    _lift_triggers(True)  # SQLite rebuilds the table to drop a column: the triggers go with it
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_column("chain_hash")
    _lift_triggers(False)
