"""Indexes for a big archive: when an article was seen (search, dashboard), and the queue's order with the state.

Search lists matches newest first (`store.stories.story_seen_at`'s expression) and the dashboard counts
the last 30 days by it. Without an index on that expression, a query that matches most of the archive
("cong an kon tum") sorted every match: seconds at 100,000 articles. With it, PostgreSQL walks the index
newest first and stops after one page, or answers a rare word from the full-text index, whichever its
statistics say is cheaper.

The queue's order index (priority rank, deadline, id) now carries the state too: the open queue's page of
ids and its count are read from the index alone, so page 900 of 100,000 open cases skips index entries
instead of fetching and joining 45,000 rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The expression must be exactly the one the queries use (the planner matches it structurally).
SEEN = "coalesce(published_at, fetched_at)"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_articles_seen ON articles ({SEEN}, id)")
    op.drop_index("ix_cases_priority_queue", table_name="cases")
    op.create_index("ix_cases_priority_queue", "cases", ["priority_rank", "deadline_at", "id", "state"])


def downgrade() -> None:
    op.drop_index("ix_cases_priority_queue", table_name="cases")
    op.create_index("ix_cases_priority_queue", "cases", ["priority_rank", "deadline_at", "id"])
    op.execute("DROP INDEX ix_articles_seen")
