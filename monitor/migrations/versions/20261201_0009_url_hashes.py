"""Narrow URL indexes and work claims: articles are unique on a 64-bit hash of the canonical URL, looked up by hashes.

Two b-tree indexes over URLs of up to 2,048 characters were most of PostgreSQL's cost of a first big
ingest pass. The URLs stay (lookups compare them exactly); the indexes hold 8-byte hashes instead.
Two unused indexes go too: content_hash (only compared in Python) and (source_id, item_key).

The article search index (0005) covered `to_tsvector(monitor_fold(title || text))`: translate() over a
500-letter table for every inserted row made a first ingest pass eight times slower on PostgreSQL. The
folded text is now stored (`search_doc`, written by the store in Python) and the index covers that.

Sources and articles also get a claim (claimed_by, claimed_until): `monitor worker` processes on one
PostgreSQL database take due sources, pending pages and pending analyses with SELECT … FOR UPDATE SKIP
LOCKED and hold them until the claim expires, so a worker killed mid-batch loses nothing.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

# The same function as monitor.store.articles.url_hash (a migration never imports the package's code):
# the first 8 bytes of MD5 as a signed big-endian integer, which PostgreSQL computes natively below.
_PG_HASH = "('x' || substr(md5({col}), 1, 16))::bit(64)::bigint"


def _url_hash(url: str | None) -> int | None:
    if url is None:
        return None
    return int.from_bytes(hashlib.md5(url.encode(), usedforsecurity=False).digest()[:8], "big", signed=True)


def _backfill() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"UPDATE articles SET canonical_hash = {_PG_HASH.format(col='canonical_url')}, "
            f"url_hash = CASE WHEN url IS NULL THEN NULL ELSE {_PG_HASH.format(col='url')} END"
        )
        return
    rows = bind.execute(sa.text("SELECT id, canonical_url, url FROM articles")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE articles SET canonical_hash = :c, url_hash = :u WHERE id = :id"),
            [{"id": i, "c": _url_hash(c), "u": _url_hash(u)} for i, c, u in rows],
        )


_DOC = "monitor_fold(title || ' ' || coalesce(nullif(text, ''), summary))"  # 0005's index expression


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("canonical_hash", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("url_hash", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("search_doc", sa.Text(), nullable=True))
    _backfill()
    # monitor_fold exists on both backends (SQLite: a Python function registered on every connection)
    op.execute(f"UPDATE articles SET search_doc = {_DOC}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
        op.execute(
            "CREATE INDEX ix_articles_search ON articles USING gin (to_tsvector('simple', search_doc))"
        )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.alter_column("canonical_hash", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_constraint("uq_articles_canonical_url", type_="unique")
        batch_op.drop_index("ix_articles_url")
        batch_op.drop_index("ix_articles_content_hash")
        batch_op.drop_index("ix_articles_source_item")
        batch_op.create_unique_constraint(batch_op.f("uq_articles_canonical_hash"), ["canonical_hash"])
        batch_op.create_index(batch_op.f("ix_articles_url_hash"), ["url_hash"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
        op.execute(f"CREATE INDEX ix_articles_search ON articles USING gin (to_tsvector('simple', {_DOC}))")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_url_hash"))
        batch_op.drop_constraint(batch_op.f("uq_articles_canonical_hash"), type_="unique")
        batch_op.create_index("ix_articles_source_item", ["source_id", "item_key"], unique=False)
        batch_op.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_articles_url", ["url"], unique=False)
        batch_op.create_unique_constraint("uq_articles_canonical_url", ["canonical_url"])
        batch_op.drop_column("search_doc")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("url_hash")
        batch_op.drop_column("canonical_hash")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
