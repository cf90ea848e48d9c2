"""Web app: password hashes, server-side sessions, the audit log, case assignees, source pause, search.

- users.password_hash (argon2id; NULL = cannot log in until `monitor users passwd`)
- web_sessions: one row per browser session, keyed by the SHA-256 of its random 256-bit token
- audit_log: append-only (triggers refuse UPDATE/DELETE), like case_events
- cases.assignee_id: the collaborator a leader assigned the case to
- sources.paused / paused_at: an admin's pause, a database override of sources.toml
- PostgreSQL only: monitor_fold(text) (IMMUTABLE translate of Vietnamese letters to ASCII) and a GIN
  full-text index over the folded title and text of articles and the folded title of stories.

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
_PG_TRIGGERS = (
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)

# What the articles index covers; monitor.store.search uses exactly these expressions.
ARTICLE_DOC = "monitor_fold(title || ' ' || coalesce(nullif(text, ''), summary))"
STORY_DOC = "monitor_fold(title)"


def _fold_sql() -> str:
    """CREATE FUNCTION monitor_fold from the table monitor.store.search_fold builds (frozen here)."""
    import unicodedata

    src, dst = [], []
    for code in range(ord("A"), ord("Z") + 1):
        src.append(chr(code))
        dst.append(chr(code).lower())
    for lo, hi in ((0x00C0, 0x0250), (0x1EA0, 0x1F00)):
        for code in range(lo, hi):
            ch = chr(code)
            base = "d" if ch in "đĐ" else unicodedata.normalize("NFD", ch)[0].lower()
            if "a" <= base <= "z" and base != ch:
                src.append(ch)
                dst.append(base)
    gone = "".join(chr(c) for c in range(0x0300, 0x0370))
    frm = ("".join(src) + gone).replace("'", "''")
    to = "".join(dst)
    return (
        "CREATE FUNCTION monitor_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $fold$ SELECT translate(t, '{frm}', '{to}') $fold$"
    )


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_cases_assignee_id_users"), "users", ["assignee_id"], ["id"])
        batch_op.create_index(
            "ix_cases_assignee", ["assignee_id", "priority_rank", "deadline_at"], unique=False
        )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_addr", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_sessions_last_seen_at"), ["last_seen_at"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("client_addr", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_actor", ["action", "actor_name", "at"], unique=False)
        batch_op.create_index("ix_audit_log_addr", ["action", "client_addr", "at"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in _PG_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(_fold_sql())
        op.execute(
            f"CREATE INDEX ix_articles_search ON articles USING gin (to_tsvector('simple', {ARTICLE_DOC}))"
        )
        op.execute(
            f"CREATE INDEX ix_stories_search ON stories USING gin (to_tsvector('simple', {STORY_DOC}))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_stories_search")
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
        op.execute("DROP FUNCTION IF EXISTS monitor_fold(text)")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_table("audit_log")
    op.drop_table("web_sessions")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("paused_at")
        batch_op.drop_column("paused")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_assignee")
        batch_op.drop_constraint(op.f("fk_cases_assignee_id_users"), type_="foreignkey")
        batch_op.drop_column("assignee_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
