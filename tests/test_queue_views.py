"""The queue's application layer: the listing with its filters and paging, the case view, the predicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from test_queue_support import NOW, seed_article, seed_cases, seed_source, seed_users

from monitor.config_tables import QueueSettings
from monitor.errors import NotFoundError
from monitor.queue.inputs import Names, parse_filter
from monitor.queue.service import Decision, act
from monitor.queue.views import case_view, queue_listing
from monitor.queue.workflow import claim_active, is_overdue
from monitor.store.cases import claim_free_or_mine, open_case
from monitor.store.queue_tables import CaseRow, StoryArticleRow, StoryRow, UserRow
from monitor.store.stories import story_seen_at
from monitor.store.tables import ArticleRow
from monitor.vocab import Action, State

NAMES = Names(
    targets={"ca-kon-tum": "Công an tỉnh Kon Tum", "kon-tum": "tỉnh Kon Tum"},
    outlets={"baokontum": "Báo Kon Tum", "vnexpress": "VnExpress"},
)


def seed_two_outlet_story(db) -> int:
    """One story told by two outlets, each article naming a different target; its case id."""
    with db.write() as s:
        kt = seed_source(s, "baokontum", "Báo Kon Tum")
        vne = seed_source(s, "vnexpress", "VnExpress")
        first = seed_article(s, kt, "Xếp hàng làm căn cước", "Nội dung.", targets=("ca-kon-tum",))
        second = seed_article(
            s,
            vne,
            "Người dân chờ làm căn cước",
            "Nội dung.",
            at=NOW + timedelta(hours=2),
            targets=("kon-tum",),
        )
        story = StoryRow(
            title="Xếp hàng làm căn cước",
            first_article_id=first,
            first_source_id=kt,
            first_seen_at=NOW,
            last_seen_at=NOW + timedelta(hours=2),
            article_count=2,
            outlet_count=2,
            outlets=["Báo Kon Tum", "VnExpress"],
            targets=["ca-kon-tum", "kon-tum"],
            topic="dich_vu_cong",
            tone="tieu_cuc",
            tone_score=0.7,
            flagged=True,
            flag_reasons=["Nhắc đến Công an tỉnh Kon Tum và có giọng điệu tiêu cực"],
            max_outlet_weight=1.0,
            updated_at=NOW,
        )
        s.add(story)
        s.flush()
        for aid, sim in ((first, None), (second, 0.8)):
            s.add(StoryArticleRow(article_id=aid, story_id=story.id, similarity=sim, joined_at=NOW))
        case_id = open_case(s, story.id, "high", 1, ["đã lan ra 2 báo"], NOW + timedelta(hours=24), NOW)
    assert case_id is not None
    return case_id


def test_case_view_groups_mentions_by_article_with_labels(db):
    seed_users(db)
    case_id = seed_two_outlet_story(db)
    act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    view = case_view(db, case_id, NOW + timedelta(minutes=5), NAMES)
    assert [(a.outlet, [m.target_name for m in a.mentions]) for a in view.articles] == [
        ("Báo Kon Tum", ["Công an tỉnh Kon Tum"]),
        ("VnExpress", ["tỉnh Kon Tum"]),
    ]
    assert view.targets == ("Công an tỉnh Kon Tum", "tỉnh Kon Tum")
    assert (view.state_label, view.priority_label, view.topic_label, view.tone_label) == (
        "đang xác minh",
        "cao",
        "Thủ tục hành chính, dịch vụ công",
        "tiêu cực",
    )
    assert view.holder == "ctv1" and view.holder_name == "Nguyễn Văn An" and not view.overdue
    assert view.reasons == ("Nhắc đến Công an tỉnh Kon Tum và có giọng điệu tiêu cực", "đã lan ra 2 báo")
    assert [(e.action_label, e.from_label, e.to_label, e.actor) for e in view.history] == [
        ("mở vụ việc", "—", "mới", None),
        ("nhận xác minh", "mới", "đang xác minh", "ctv1"),
    ]
    later = case_view(db, case_id, NOW + timedelta(hours=25), NAMES)  # claim lapsed, deadline passed
    assert later.holder is None and later.holder_name is None and later.overdue


def test_case_view_of_a_missing_case(db):
    with pytest.raises(NotFoundError, match="#99"):
        case_view(db, 99, NOW)


def test_listing_filters_and_pages(db):
    seed_users(db)
    wide = seed_two_outlet_story(db)
    ids = seed_cases(db, 3, start=NOW - timedelta(days=3))  # outlet src…, target ca_kon_tum, normal
    act(db, ids[0], "ctv2", Decision(Action.CLAIM), QueueSettings(), NOW)

    def listed(**kw: object) -> list[int]:
        return [line.case_id for line in queue_listing(db, parse_filter(names=NAMES, **kw), NOW).lines]

    assert listed() == [wide, *ids]  # high first
    assert listed(status=["mới"]) == [wide, *ids[1:]]
    assert listed(status=["dang xac minh"], assignee="ctv2") == [ids[0]]
    assert listed(mine=True, user="ctv2") == [ids[0]]
    assert listed(priority=["cao"]) == [wide]
    assert listed(outlet=["VnExpress"]) == [wide] == listed(outlet=["vnexpress"])
    assert listed(target=["Công an tỉnh Kon Tum"]) == [wide]
    assert listed(topic=["thu tuc hanh chinh, dich vu cong"], tone=["tiêu cực"]) == [wide, *ids]
    assert listed(tone=["tích cực"]) == []
    assert listed(date_from="27/11/2026") == [wide]  # NOW is 10:00 27/11 in Vietnam
    assert listed(date_to="24/11/2026") == ids
    page = queue_listing(db, parse_filter(limit=3, page=2), NOW)
    assert [line.case_id for line in page.lines] == ids[2:] and (page.total, page.pages) == (4, 2)
    first = queue_listing(db, parse_filter(limit=3), NOW).lines
    assert first[1].holder == "ctv2" and first[1].state_label == "đang xác minh"
    assert first[0].priority_label == "cao" and first[0].topic_label.startswith("Thủ tục")


def test_counting_stops_at_the_cap(db, monkeypatch):
    from monitor.queue import views
    from monitor.store.cases import QueueQuery, queue_count

    seed_users(db)
    seed_cases(db, 5, start=NOW - timedelta(days=3))
    with db.read() as s:
        assert queue_count(s, QueueQuery()) == 5
        assert queue_count(s, QueueQuery(), cap=3) == 4  # stops at cap + 1: "more than 3"
        assert queue_count(s, QueueQuery(), cap=5) == 5
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    first = queue_listing(db, parse_filter(limit=2), NOW)
    assert (first.total, first.capped, first.total_text, first.pages_text) == (3, True, "hơn 3", "2+")
    last = queue_listing(db, parse_filter(limit=2, page=3), NOW)
    assert len(last.lines) == 1 and last.pages == 3  # not full: no page after it


@pytest.mark.parametrize(
    ("total", "capped", "page", "full", "text", "pages"),
    [
        (0, False, 1, False, "0", "1"),
        (1234, False, 1, True, "1.234", "25"),
        (10_000, True, 1, True, "hơn 10.000", "200+"),
        (10_000, True, 250, True, "hơn 10.000", "251+"),  # past the count, a full page: one more
        (10_000, True, 250, False, "hơn 10.000", "250+"),
    ],
)
def test_page_counts_as_people_read_them(total, capped, page, full, text, pages):
    from monitor.queue.views import QueuePage

    lines = (None,) * (50 if full else 10)
    listing = QueuePage(lines, page, 50, total, capped=capped)  # type: ignore[arg-type]
    assert (listing.total_text, listing.pages_text) == (text, pages)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"status": ["dang_lam"]}, ["dang_lam", "mới", "đang xác minh"]),
        ({"priority": ["gấp"]}, ["gấp", "khẩn cấp"]),
        ({"topic": ["thể thao"]}, ["thể thao", "Ma túy"]),
        ({"tone": ["vui"]}, ["vui", "tích cực"]),
        ({"target": ["Gia Lai"]}, ["Gia Lai", "Công an tỉnh Kon Tum"]),
        ({"outlet": ["Tuổi Trẻ"]}, ["Tuổi Trẻ", "VnExpress"]),
        ({"date_from": "31/02/2026"}, ["31/02/2026", "dd/mm/yyyy"]),
        ({"date_from": "27/11/2026", "date_to": "26/11/2026"}, ["Ngày kết thúc"]),
        ({"limit": 0}, ["từ 1 đến 1000"]),
        ({"page": 0}, ["Số trang"]),
    ],
)
def test_bad_filters_are_refused_in_vietnamese(kwargs, words):
    from monitor.errors import TransitionError

    with pytest.raises(TransitionError) as err:
        parse_filter(names=NAMES, **kwargs)
    assert all(w in err.value.message for w in words), err.value.message


def test_mine_needs_a_user():
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="MONITOR_USER"):
        parse_filter(mine=True)


@pytest.mark.parametrize(
    ("holder", "expires_in", "actor_is_holder", "active"),
    [
        (None, None, False, False),
        ("ctv2", timedelta(minutes=10), False, True),
        ("ctv2", timedelta(0), False, True),  # expiring this very second still holds
        ("ctv2", -timedelta(seconds=1), False, False),
        ("ctv1", timedelta(minutes=10), True, True),
    ],
)
def test_claim_predicate_and_its_sql_form_agree(db, holder, expires_in, actor_is_holder, active):
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    with db.write() as s:
        ids = dict(s.execute(select(UserRow.username, UserRow.id)).tuples().all())
        s.get(CaseRow, case_id).claimed_by = ids.get(holder or "")
        s.get(CaseRow, case_id).claim_expires_at = NOW + expires_in if expires_in is not None else None
    assert claim_active(holder, NOW + expires_in if expires_in is not None else None, NOW) is active
    with db.read() as s:
        actor = s.scalar(select(UserRow.id).where(UserRow.username == "ctv1"))
        free_or_mine = s.scalar(
            select(CaseRow.id).where(CaseRow.id == case_id, claim_free_or_mine(actor, NOW))
        )
    assert (free_or_mine is not None) is (not active or actor_is_holder)


def test_overdue_is_past_the_deadline_and_not_closed():
    assert is_overdue(NOW, State.NEW, NOW + timedelta(seconds=1))
    assert not is_overdue(NOW, State.NEW, NOW)
    assert not is_overdue(NOW, State.CLOSED, NOW + timedelta(days=1))


def test_story_seen_at_is_published_else_fetched(db):
    with db.write() as s:
        src = seed_source(s)
        published = seed_article(s, src, "Có ngày đăng", "x", at=NOW)
        fetched_only = seed_article(s, src, "Không có ngày đăng", "x", at=NOW)
        s.get(ArticleRow, fetched_only).published_at = None
        s.get(ArticleRow, fetched_only).fetched_at = NOW + timedelta(hours=1)
    with db.read() as s:
        seen = dict(s.execute(select(ArticleRow.id, story_seen_at())).tuples().all())
    assert seen == {published: NOW, fetched_only: NOW + timedelta(hours=1)}


def test_queue_relevance_has_one_definition(db):
    from monitor.store.analyses import for_queue, unqueued_relevant

    with db.write() as s:
        src = seed_source(s)
        mentioned = seed_article(s, src, "Nhắc đến", "x", flagged=False)
        flagged = seed_article(s, src, "Gắn cờ", "x", targets=())
        neither = seed_article(s, src, "Không liên quan", "x", flagged=False, targets=())
        placed = seed_article(s, src, "Đã thuộc câu chuyện", "x", flagged=False, targets=())
        story = StoryRow(
            title="t",
            first_article_id=placed,
            first_source_id=src,
            first_seen_at=NOW,
            last_seen_at=NOW,
            outlets=[],
            targets=[],
            flag_reasons=[],
            updated_at=NOW,
        )
        s.add(story)
        s.flush()
        s.add(StoryArticleRow(article_id=placed, story_id=story.id, joined_at=NOW))
    with db.read() as s:
        assert for_queue(s, [mentioned, flagged, neither, placed]) == [mentioned, flagged, placed]
        assert unqueued_relevant(s, NOW - timedelta(days=1)) == [mentioned, flagged]


def test_case_view_reads_articles_and_their_mentions_together(db):
    """One query gives the articles and their mentions: an article with two mentions comes once with both,
    one without any comes with none, and the article limit counts articles, not mentions."""
    from monitor.store.stories import story_detail

    seed_users(db)
    with db.write() as s:
        src = seed_source(s, "baokontum", "Báo Kon Tum")
        ids = [
            seed_article(s, src, "Bài có hai nơi được nhắc", "Nội dung.", targets=("ca-kon-tum", "kon-tum")),
            seed_article(s, src, "Bài không nhắc ai", "Nội dung.", at=NOW + timedelta(hours=1), targets=()),
            seed_article(
                s, src, "Bài thứ ba", "Nội dung.", at=NOW + timedelta(hours=2), targets=("kon-tum",)
            ),
        ]
        story = StoryRow(
            title="Ba bài",
            first_article_id=ids[0],
            first_source_id=src,
            first_seen_at=NOW,
            last_seen_at=NOW + timedelta(hours=2),
            article_count=3,
            outlet_count=1,
            outlets=["Báo Kon Tum"],
            targets=["ca-kon-tum", "kon-tum"],
            flagged=True,
            flag_reasons=[],
            max_outlet_weight=1.0,
            updated_at=NOW,
        )
        s.add(story)
        s.flush()
        for aid in ids:
            s.add(StoryArticleRow(article_id=aid, story_id=story.id, joined_at=NOW))
        case_id = open_case(s, story.id, "normal", 2, [], NOW + timedelta(hours=72), NOW)
    view = case_view(db, case_id, NOW, NAMES)
    assert [(a.id, sorted(m.target for m in a.mentions)) for a in view.articles] == [
        (ids[0], ["ca-kon-tum", "kon-tum"]),
        (ids[1], []),
        (ids[2], ["kon-tum"]),
    ]
    assert view.first_outlet == "Báo Kon Tum" and all(a.seen_at.tzinfo is not None for a in view.articles)
    with db.read() as s:
        two = story_detail(s, story.id, max_articles=2)
    assert two is not None and [a.id for a in two.articles] == ids[:2]
    assert [m.article_id for m in two.mentions] == [ids[0], ids[0]]
    with pytest.raises(NotFoundError):
        case_view(db, 999_999, NOW, NAMES)
