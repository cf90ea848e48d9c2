"""An index on when an article was seen (published, else fetched), newest first, for search and the dashboard.

Search lists matches newest first (`store.stories.story_seen_at`'s expression) and the dashboard counts
the last 30 days by it. Without an index on that expression, a query that matches most of the archive
("cong an kon tum") sorted every match: seconds at 100,000 articles. With it, PostgreSQL walks the index
newest first and stops after one page, or answers a rare word from the full-text index, whichever its
statistics say is cheaper.

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "0010"
down_revision = "0004"
branch_labels = None
depends_on = None

# The expression must be exactly the one the queries use (the planner matches it structurally).
SEEN = "coalesce(published_at, fetched_at)"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_articles_seen ON articles ({SEEN}, id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_articles_seen")
