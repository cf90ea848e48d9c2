""" "Có thể cùng sự việc" on the case page: one-click confirm / split with CSRF, refusals audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.store.audit import recent
from monitor.store.queue_tables import StoryRelationRow
from tests.test_queue_relations import seed_suggestion
from tests.web_support import login, make_app, page_csrf, seed_accounts


@pytest.fixture
def app(db):
    seed_accounts(db)
    return make_app(db)


def _status(db) -> str:
    with db.read() as s:
        return s.scalars(select(StoryRelationRow.status)).one()


@pytest.mark.parametrize(
    ("action", "status", "said"),
    [("confirm_event", "confirmed", "đã xác nhận cùng sự việc"), ("split_event", "split", "đã tách sự việc")],
)
def test_one_click_from_the_case_page(app, db, action, status, said):
    first, second = seed_suggestion(db, datetime.now(UTC) - timedelta(hours=2))
    a = login(app, "ctv1")
    page = a.get(f"/cases/{first}").text
    assert "Có thể cùng sự việc:" in page and f'href="/cases/{second}"' in page
    assert re.search(r"độ giống 0,\d\d", page)  # a Vietnamese decimal comma
    assert f'id="{action}-' in page
    r = a.post(
        f"/cases/{first}/{action}",
        data={"csrf_token": page_csrf(a, f"/cases/{first}"), "version": "1", "other_case": str(second)},
        follow_redirects=True,
    )
    assert said in r.text and _status(db) == status
    assert "Nguyễn Văn An" in r.text and 'id="confirm_event-' not in r.text  # decided: no buttons left
    other = a.get(f"/cases/{second}").text
    assert (
        f'href="/cases/{first}"' in other and ("đã xác nhận" if status == "confirmed" else "đã tách") in other
    )


def test_without_csrf_or_with_the_wrong_role_nothing_changes(app, db):
    first, second = seed_suggestion(db, datetime.now(UTC) - timedelta(hours=2))
    a = login(app, "ctv1")
    assert a.post(f"/cases/{first}/confirm_event", data={"other_case": str(second)}).status_code == 400
    reporter = login(app, "bcv")
    assert 'id="confirm_event-' not in reporter.get(f"/cases/{first}").text
    reporter.post(
        f"/cases/{first}/confirm_event",
        data={"csrf_token": page_csrf(reporter, f"/cases/{first}"), "other_case": str(second)},
    )
    assert _status(db) == "suggested"
    with db.read() as s:
        line = recent(s)[0]
    assert (line.actor, line.action, line.outcome) == ("bcv", "case_confirm_event", "refused")
    assert "không được xác nhận cùng sự việc" in line.detail
