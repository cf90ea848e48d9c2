"""Event-level stories: the terms event matching keeps per article, and suggested/confirmed/split relations
between stories (who decided, when).

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0004"
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "article_event_terms",
        sa.Column("article_id", _BIGID, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms", _JSON, nullable=False),
        sa.Column("names", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_event_terms_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_event_terms")),
    )
    with op.batch_alter_table("article_event_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_event_terms_seen_at"), ["seen_at"], unique=False)
    op.create_table(
        "story_relations",
        sa.Column("id", _BIGID, nullable=False),
        sa.Column("story_a", _BIGID, nullable=False),
        sa.Column("story_b", _BIGID, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("names", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["story_a"], ["stories.id"], name=op.f("fk_story_relations_story_a_stories")),
        sa.ForeignKeyConstraint(["story_b"], ["stories.id"], name=op.f("fk_story_relations_story_b_stories")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_story_relations_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_relations")),
        sa.UniqueConstraint("story_a", "story_b", name=op.f("uq_story_relations_story_a")),
    )
    with op.batch_alter_table("story_relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_relations_story_b"), ["story_b"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_relations_story_b"))
    op.drop_table("story_relations")
    with op.batch_alter_table("article_event_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_event_terms_seen_at"))
    op.drop_table("article_event_terms")
