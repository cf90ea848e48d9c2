"""Users and roles in the database: created once, listed, looked up; mistakes refused in Vietnamese."""

from __future__ import annotations

import pytest
from test_queue_support import NOW

from monitor.errors import NotFoundError, StoreError
from monitor.store.users import add_user, get_user, list_users


def test_add_list_get(db):
    with db.write() as s:
        add_user(s, "ld", "leader", "Phạm Minh Đức", NOW)
        add_user(s, "ctv.an", "collaborator", "Nguyễn Văn An", NOW)
    with db.read() as s:
        assert [u.username for u in list_users(s)] == ["ctv.an", "ld"]
        assert get_user(s, "ld").role == "leader"


@pytest.mark.parametrize(
    ("username", "role", "words"),
    [
        ("ld", "leader", "đã tồn tại"),
        ("sep", "boss", "không hợp lệ"),
        ("", "collaborator", "Tên đăng nhập"),
        ("   ", "collaborator", "Tên đăng nhập"),
        ("cộng tác", "collaborator", "không hợp lệ"),
    ],
)
def test_refusals(db, username, role, words):
    with db.write() as s:
        add_user(s, "ld", "leader", "Phạm Minh Đức", NOW)
    with pytest.raises(StoreError) as err, db.write() as s:
        add_user(s, username, role, "Ai đó", NOW)
    assert words in err.value.message


def test_unknown_user(db):
    with pytest.raises(NotFoundError) as err, db.read() as s:
        get_user(s, "khong.co")
    assert "monitor users add" in err.value.message


def test_blank_name_is_refused(db):
    with pytest.raises(StoreError, match="Họ tên"), db.write() as s:
        add_user(s, "ctv.binh", "collaborator", "   ", NOW)
