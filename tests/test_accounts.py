"""Who may manage users: the pure rule (table-driven), then the CLI with real databases."""

from __future__ import annotations

import pytest
from test_queue_support import NOW, seed_cases, seed_users
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config_tables import QueueSettings
from monitor.errors import NotFoundError, PermissionDeniedError, TransitionError
from monitor.queue.service import Decision, act
from monitor.queue.users import Target, UserAction, can_manage_users, disable_user
from monitor.store.audit import recent
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
        (LEADER, UserAction.ENABLE, Target("ctv1", "collaborator"), 1, "Chỉ quản trị viên được mở lại"),
        (LEADER, UserAction.END_SESSIONS, Target("ctv1", "collaborator"), 1, "Chỉ quản trị viên"),
        (ADMIN, UserAction.END_SESSIONS, Target("ctv1", "collaborator"), 1, None),
        # passwords: anyone's by an admin, one's own, and the first admin's first one by the local operator
        (ADMIN, UserAction.SET_PASSWORD, Target("ld1", "leader", None, True), 1, None),
        (LEADER, UserAction.SET_PASSWORD, Target("ld1", "leader", None, True), 1, None),
        (LEADER, UserAction.SET_PASSWORD, Target("ctv1", "collaborator"), 1, "đặt mật khẩu cho người khác"),
        (GONE, UserAction.SET_PASSWORD, Target("qt.cu", "admin"), 1, "đã bị vô hiệu hóa"),
        (None, UserAction.SET_PASSWORD, Target("ld1", "leader"), 1, "Cần quản trị viên"),
        (None, UserAction.SET_PASSWORD, Target("ctv1", "collaborator"), 0, "Chưa có quản trị viên"),
    ],
)
def test_can_manage_users(actor, action, target, admins, refusal):
    got = can_manage_users(actor, action, target, active_admins=admins)
    assert (got is None) == (refusal is None)
    if refusal:
        assert refusal in got


# (target has a password, active admins who have one, refusal): the local operator without --as
FIRST_PASSWORD = [
    (False, 0, None),  # the first admin's first password: the README's quick start
    (True, 1, "Cần quản trị viên"),  # a second time: the admin can log in and act as themself
    (False, 1, "Cần quản trị viên"),  # another admin's first password once an admin can log in
]


@pytest.mark.parametrize(("has_password", "logins", "refusal"), FIRST_PASSWORD)
def test_only_the_first_admin_password_needs_no_acting_user(has_password, logins, refusal):
    target = Target("qt", "admin", None, has_password)
    got = can_manage_users(None, UserAction.SET_PASSWORD, target, active_admins=1, admin_logins=logins)
    assert (got is None) == (refusal is None)
    if refusal:
        assert refusal in got


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    monkeypatch.delenv("MONITOR_USER", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=True)


def _refused(result, words, kind=PermissionDeniedError):
    """The command failed with exactly this kind of error and a sentence containing `words`."""
    assert result.exit_code != 0 and type(result.exception) is kind, (result.output, result.exception)
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
        cli("users", "add", "x", "--role", "admin", "--name", "Kẻ Lạ", "--as", "ma"),
        "Không có người dùng",
        NotFoundError,
    )
    done = cli("users", "role", "ld1", "reporter", "--as", "qt")
    assert done.exit_code == 0 and "báo cáo viên" in done.output
    _refused(cli("users", "disable", "qt", "--as", "qt"), "quản trị viên cuối cùng", TransitionError)
    assert cli("users", "disable", "ld1", "--as", "qt").exit_code == 0
    _refused(
        cli("users", "add", "y", "--role", "collaborator", "--name", "Ai Đó", "--as", "ld1"), "vô hiệu hóa"
    )
    _refused(cli("queue", "--mine", "--as", "ld1"), "vô hiệu hóa", NotFoundError)


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


def test_disabling_a_collaborator_gives_back_the_cases_assigned_to_them_on_the_record(db: Database) -> None:
    """A leader's assignment to someone who can no longer work is nobody's again: the queue shows the case
    unassigned (leaders give it to someone else) and its history says who took it back and why."""
    from sqlalchemy import update

    from monitor.queue.event_check import check_database
    from monitor.store.cases import case_events
    from monitor.store.queue_tables import CaseRow

    seed_users(db)
    [open_id] = seed_cases(db, 1)
    [done_id] = seed_cases(db, 1, state="closed")  # finished: its record stays as it was
    act(db, open_id, "ld", Decision(Action.ASSIGN, assignee="ctv1"), QueueSettings(), NOW)
    with db.write() as s:
        ctv1 = get_user(s, "ctv1").id
        s.execute(update(CaseRow).where(CaseRow.id == done_id).values(assignee_id=ctv1))
    user, released = disable_user(db, "qt", "ctv1", QueueSettings(), NOW)
    assert not user.active and released == []
    with db.read() as s:
        still_open, closed = get_case(s, open_id), get_case(s, done_id)
        last = case_events(s, open_id)[-1]
    assert still_open is not None and still_open.assignee is None
    assert closed is not None and closed.assignee == "ctv1"
    assert (last.actor, last.action, last.data.get("unassigned")) == ("qt", "unassign", "ctv1")
    assert "tài khoản đã bị vô hiệu hóa" in last.note
    # `monitor db check`: the record and its events agree (the closed case was seeded without events)
    assert [f for f in check_database(db).findings if f.startswith(f"Vụ việc #{open_id}:")] == []
    act(db, open_id, "ld", Decision(Action.ASSIGN, assignee="ctv2"), QueueSettings(), NOW)  # given anew
    with db.read() as s:
        case = get_case(s, open_id)
    assert case is not None and case.assignee == "ctv2"
    with pytest.raises(PermissionDeniedError):  # taking an assignment back is a leader's (or admin's) act
        act(db, open_id, "ctv2", Decision(Action.UNASSIGN), QueueSettings(), NOW)


PASSWORD = "Đồi thông Măng Đen 2026"


def _passwd(cli_input, username, *more):
    return cli_input("users", "passwd", username, *more)


@pytest.fixture
def cli_input(tmp_path, monkeypatch):
    """The CLI with a password piped on stdin."""
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    monkeypatch.delenv("MONITOR_USER", raising=False)
    runner = CliRunner()
    return lambda *args, env=None: runner.invoke(
        app, list(args), input=PASSWORD + "\n", catch_exceptions=True, env=env
    )


def _audit(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'u.db'}")
    try:
        with db.read() as s:
            return [(x.actor, x.action, x.object, x.outcome, x.client_addr) for x in recent(s)]
    finally:
        db.dispose()


def test_users_passwd_needs_an_admin_for_someone_else(cli_input, tmp_path):
    run = cli_input
    assert run("users", "add", "qt", "--role", "admin", "--name", "Hoàng Quản Trị").exit_code == 0
    assert run("users", "add", "ctv1", "--role", "ctv", "--name", "Y Hiên", "--as", "qt").exit_code == 0
    assert (
        run("users", "add", "ld1", "--role", "leader", "--name", "Phạm Minh Đức", "--as", "qt").exit_code == 0
    )
    # someone else's password without an acting user: refused even before any admin can log in
    _refused(_passwd(run, "ctv1"), "Cần quản trị viên để đặt mật khẩu cho người khác")
    # the first admin's own first password: no acting user needed (README quick start)
    first = _passwd(run, "qt")
    assert first.exit_code == 0 and "Đã đặt mật khẩu cho Hoàng Quản Trị (qt)" in first.output
    # ...only once: now the admin exists with a password, the operator must say who acts
    _refused(_passwd(run, "qt"), "Cần quản trị viên")
    _refused(_passwd(run, "ctv1", "--as", "ld1"), "Chỉ quản trị viên được đặt mật khẩu cho người khác")
    _refused(_passwd(run, "ctv1", "--as", "ma"), "Không có người dùng", NotFoundError)
    assert _passwd(run, "ctv1", "--as", "qt").exit_code == 0  # an admin, for anyone
    assert run("users", "passwd", "ld1", env={"MONITOR_USER": "qt"}).exit_code == 0  # or MONITOR_USER
    assert _passwd(run, "ld1", "--as", "ld1").exit_code == 0  # one's own
    assert run("users", "disable", "ld1", "--as", "qt").exit_code == 0
    _refused(_passwd(run, "ld1", "--as", "ld1"), "vô hiệu hóa")  # a disabled account, not even its own
    lines = _audit(tmp_path)
    refused = [x for x in lines if x[3] == "refused"]
    assert ("(cli)", "set_password", "ctv1", "refused", "local") in refused
    assert ("ld1", "set_password", "ctv1", "refused", "local") in refused
    assert ("qt", "set_password", "ctv1", "ok", "local") in lines
    assert ("(cli)", "set_password", "qt", "ok", "local") in lines


def test_users_passwd_refuses_before_asking_for_the_password(cli_input, tmp_path, monkeypatch):
    import monitor.cli.users as cli_users

    asked: list[str] = []
    real = cli_users.read_password
    monkeypatch.setattr(cli_users, "read_password", lambda stdin: asked.append("?") or real(stdin))
    run = cli_input
    assert run("users", "add", "qt", "--role", "admin", "--name", "Hoàng Quản Trị").exit_code == 0
    assert run("users", "add", "ctv1", "--role", "ctv", "--name", "Y Hiên", "--as", "qt").exit_code == 0
    assert run("users", "add", "ctv2", "--role", "ctv", "--name", "Lê Thị Hoa", "--as", "qt").exit_code == 0
    _refused(_passwd(run, "ctv2", "--as", "ctv1"), "Chỉ quản trị viên được đặt mật khẩu cho người khác")
    _refused(_passwd(run, "ctv1"), "Cần quản trị viên để đặt mật khẩu cho người khác")
    _refused(_passwd(run, "ai-đó", "--as", "qt"), "Không có người dùng", NotFoundError)
    assert asked == []  # nobody typed a password only to be told they may not set it
    refused = [x for x in _audit(tmp_path) if x[3] == "refused"]
    assert refused.count(("ctv1", "set_password", "ctv2", "refused", "local")) == 1  # audited once
    assert _passwd(run, "ctv1", "--as", "ctv1").exit_code == 0 and asked == ["?"]  # one's own: asked


def test_users_passwd_of_a_non_admin_needs_an_admin_even_on_an_empty_database(cli_input):
    run = cli_input
    assert run("users", "add", "ctv1", "--role", "ctv", "--name", "Y Hiên").exit_code == 0  # no admin yet
    _refused(_passwd(run, "ctv1"), "Chưa có quản trị viên")
