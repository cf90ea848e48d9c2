"""Who may manage users: the pure rule (table-driven), then the CLI with real databases."""

from __future__ import annotations

import pytest
from test_queue_support import NOW, seed_cases, seed_users
from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import NotFoundError, TransitionError
from monitor.queue.service import Decision, act
from monitor.queue.settings import QueueSettings
from monitor.queue.users import Target, UserAction, can_manage_users, disable_user
from monitor.store.cases import get_case
from monitor.store.db import Database
from monitor.store.users import User, get_user
from monitor.vocab import Action

ADMIN = User(1, "qt", "Hoàng Quản Trị", "admin", True)
LEADER = User(2, "ld1", "Phạm Minh Đức", "leader", True)
GONE = User(3, "qt.cu", "Quản Trị Cũ", "admin", False)


@pytest.mark.parametrize(
    ("actor", "action", "target", "admins", "refusal"),
    [
        (None, UserAction.ADD, Target("qt", None, "admin"), 0, None),  # the first admin of an empty database
        (None, UserAction.ADD, Target("qt2", None, "admin"), 1, "Cần quản trị viên"),
        (None, UserAction.ADD, Target("ctv", None, "collaborator"), 1, "Cần quản trị viên"),
        (LEADER, UserAction.ADD, Target("qt2", None, "admin"), 1, "Chỉ quản trị viên được thêm người dùng"),
        (
            LEADER,
            UserAction.SET_ROLE,
            Target("ld1", "leader", "admin"),
            1,
            "Chỉ quản trị viên được đổi vai trò",
        ),
        (LEADER, UserAction.DISABLE, Target("qt", "admin"), 1, "Chỉ quản trị viên được vô hiệu hóa"),
        (GONE, UserAction.ADD, Target("x", None, "admin"), 1, "đã bị vô hiệu hóa"),
        (None, UserAction.DISABLE, Target("ld1", "leader"), 0, "Chưa có quản trị viên"),
        (ADMIN, UserAction.ADD, Target("qt2", None, "admin"), 1, None),
        (ADMIN, UserAction.SET_ROLE, Target("ld1", "leader", "admin"), 1, None),
        (ADMIN, UserAction.DISABLE, Target("ld1", "leader"), 1, None),
        (ADMIN, UserAction.DISABLE, Target("qt", "admin"), 1, "quản trị viên cuối cùng"),
        (ADMIN, UserAction.SET_ROLE, Target("qt", "admin", "leader"), 1, "quản trị viên cuối cùng"),
        (ADMIN, UserAction.DISABLE, Target("qt2", "admin"), 2, None),
    ],
)
def test_can_manage_users(actor, action, target, admins, refusal):
    got = can_manage_users(actor, action, target, active_admins=admins)
    assert (got is None) == (refusal is None)
    if refusal:
        assert refusal in got


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    monkeypatch.delenv("MONITOR_USER", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=True)


def _refused(result, words):
    assert result.exit_code != 0 and isinstance(result.exception, TransitionError | NotFoundError), (
        result.output
    )
    assert words in result.exception.message


def test_only_an_admin_manages_users_after_the_first(cli):
    assert cli("users", "add", "qt", "--role", "admin", "--name", "Hoàng Quản Trị").exit_code == 0
    _refused(cli("users", "add", "ld1", "--role", "leader", "--name", "Phạm Minh Đức"), "Cần quản trị viên")
    assert (
        cli("users", "add", "ld1", "--role", "lãnh đạo", "--name", "Phạm Minh Đức", "--as", "qt").exit_code
        == 0
    )
    _refused(
        cli("users", "add", "x", "--role", "admin", "--name", "Kẻ Lạ", "--as", "ld1"), "Chỉ quản trị viên"
    )
    _refused(cli("users", "role", "ld1", "admin", "--as", "ld1"), "Chỉ quản trị viên được đổi vai trò")
    _refused(
        cli("users", "add", "x", "--role", "admin", "--name", "Kẻ Lạ", "--as", "ma"), "Không có người dùng"
    )
    done = cli("users", "role", "ld1", "reporter", "--as", "qt")
    assert done.exit_code == 0 and "báo cáo viên" in done.output
    _refused(cli("users", "disable", "qt", "--as", "qt"), "quản trị viên cuối cùng")
    assert cli("users", "disable", "ld1", "--as", "qt").exit_code == 0
    _refused(
        cli("users", "add", "y", "--role", "collaborator", "--name", "Ai Đó", "--as", "ld1"), "vô hiệu hóa"
    )
    _refused(cli("queue", "--mine", "--as", "ld1"), "vô hiệu hóa")


def test_a_disabled_user_can_do_nothing_and_their_claims_are_released(db: Database) -> None:
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    user, released = disable_user(db, "qt", "ctv1", QueueSettings(), NOW)
    assert not user.active and released == [case_id]
    with db.read() as s:
        case = get_case(s, case_id)
        assert case is not None and case.holder is None and case.state == "new"
    with pytest.raises(NotFoundError, match="vô hiệu hóa"):
        act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    with db.read() as s, pytest.raises(NotFoundError):
        get_user(s, "ctv1")
