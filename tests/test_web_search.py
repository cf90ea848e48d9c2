"""Search folding: the Python fold and PostgreSQL's monitor_fold give the same words; queries ignore
diacritics and case."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from monitor.store.search_fold import fold_for_search, folded_words, search_words

SAMPLES = [
    "Công an tỉnh Kon Tum",
    "ĐĂK HÀ, Đắk Tô, Sa Thầy — Ngọc Hồi",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "Thị trấn Plei Kần; Măng Đen; Bờ Y; Kon Plông; Tu Mơ Rông",
    "Cong an tinh Kon Tum",
    "hoà hòa HOÀ Hoà ỷ ỹ ự Ữ",
    "Cộng hòa xã hội chủ nghĩa Việt Nam 2026",
    "decomposed: Co\u0302\u0301ng an",  # NFD marks are dropped too
]


def test_fold_examples():
    assert fold_for_search("Công an tỉnh Kon Tum") == "cong an tinh kon tum"
    assert fold_for_search("ĐẮK HÀ đắk") == "dak ha dak"
    assert search_words("  Công-an, tỉnh KON TUM!") == ["cong", "an", "tinh", "kon", "tum"]


def test_postgres_fold_matches_python(db):
    if db.dialect != "postgresql":
        pytest.skip("monitor_fold is the PostgreSQL function")
    with db.read() as s:
        for sample in SAMPLES:
            folded = s.execute(text("SELECT monitor_fold(:t)"), {"t": sample}).scalar()
            # the same words (unaccent also turns punctuation such as "—" into "-", which is no word)
            assert folded_words(folded) == folded_words(sample), sample


def _seed(db):
    from tests.test_queue_support import DRUG_STORY, QUEUE_STORY, TRAFFIC_STORY, seed_article, seed_source

    with db.write() as s:
        src = seed_source(s, key="baokontum", name="Báo Kon Tum")
        ids = {
            "queue": seed_article(s, src, *QUEUE_STORY),
            "drug": seed_article(s, src, *DRUG_STORY, tone="tich_cuc"),
            "traffic": seed_article(s, src, *TRAFFIC_STORY, topic="giao_thong", tone="trung_tinh"),
            "ascii": seed_article(s, src, "Cong an tinh Kon Tum bat giu doi tuong", "Viet khong dau."),
        }
    return ids


def test_search_ignores_diacritics_and_case(db):
    from monitor.store.search import SearchFilters, search_articles

    ids = _seed(db)
    with db.read() as s:

        def found(query, **filters):
            return {h.id for h in search_articles(s, query, SearchFilters(**filters))[0]}

        assert found("cong an kon tum") == {ids["queue"], ids["drug"], ids["traffic"], ids["ascii"]}
        assert found("CÔNG AN TỈNH KON TUM") == found("cong an tinh kon tum")
        assert found("đèo măng đen") == {ids["traffic"]} == found("deo mang den")
        assert found("dak bla") == {ids["queue"]}  # Đăk Blà in the text, đ ≈ d
        assert found("ma tuy", tones=["tich_cuc"]) == {ids["drug"]}
        assert found("kon tum", topics=["giao_thong"]) == {ids["traffic"]}
        assert found("kon tuml") == set()  # whole words only
        assert found("cong an binh dinh") == set()  # every word must be there
        assert found("  ,,, ") == set()


def test_postgres_search_uses_the_index(db):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL plan")
    from monitor.store.search import explain_article_search

    with db.read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table would be scanned anyway
        plan = explain_article_search(s, "công an kon tum")
    assert "ix_articles_search" in plan


def test_search_can_walk_the_seen_index_newest_first(db):
    """A word in most of the archive: the plan reads articles newest first from ix_articles_seen and stops
    after a page, instead of sorting every match (PostgreSQL picks it by its statistics; here the other
    ways are switched off to show it is available; SQLite takes it by itself)."""
    from monitor.store.search import SearchFilters, explain_article_search, search_articles

    ids = _seed(db)
    with db.read() as s:
        if db.dialect == "postgresql":
            for way in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                s.execute(text(f"SET LOCAL {way} = off"))
        plan = explain_article_search(s, "kon tum")
        assert "ix_articles_seen" in plan, plan
        found = [h.id for h in search_articles(s, "kon tum", SearchFilters())[0]]
    assert sorted(found) == sorted(ids.values())  # every article names Kon Tum


@pytest.mark.parametrize(("few", "common"), [(0, 20_000), (1000, 20_000), (1000, 0)])
def test_case_search_ranks_the_same_whether_few_or_many_stories_match(db, monkeypatch, few, common):
    """PostgreSQL asks the full-text index first and ranks just the matching stories when they are few,
    and walks the queue's order at once when its statistics expect most stories to match (common = 0:
    every word counts as common); either way the cases found and their order are the same."""
    from monitor.store import search
    from tests.test_queue_support import seed_cases, seed_users

    seed_users(db)
    ids = seed_cases(db, 4)  # "Vụ việc số 0" … "Vụ việc số 3"
    monkeypatch.setattr(search, "FEW_STORIES", few)
    monkeypatch.setattr(search, "COMMON_STORIES", common)
    with db.read() as s:

        def found(q: str) -> list[int]:
            return [h.case_id for h in search.search_cases(s, q, search.SearchFilters())[0]]

        assert found("vu viec so") == ids
        assert found("vụ việc số 2") == [ids[2]]
        assert found("vu viec so 9") == []


def test_article_search_pages_and_filters_join_only_the_page(db):
    """The page of articles is chosen first (with the joins its filters need), then given its outlet and
    case: the hits, their order and the pages are those of the whole match, whatever the filter."""
    from monitor.store.search import SearchFilters, search_articles
    from tests.web_support import seed_world

    cases = seed_world(db)
    with db.read() as s:

        def found(limit: int = 30, offset: int = 0, **filters):
            return search_articles(s, "kon tum", SearchFilters(**filters), limit=limit, offset=offset)

        every, more = found()
        assert len(every) == 7 and not more  # 3 + 1 + 2 + 1 copies, every one of them names Kon Tum
        assert [h.seen_at for h in every] == sorted((h.seen_at for h in every), reverse=True)
        assert {h.case_id for h in every} == set(cases.values()) and {h.case_state for h in every} == {"new"}
        paged = [h for page in range(4) for h in found(limit=2, offset=2 * page)[0]]
        assert [h.id for h in paged] == [h.id for h in every]
        assert found(limit=2)[1] and not found(limit=2, offset=6)[1]
        outlet = found(outlets=["thanhnien"])[0]
        assert len(outlet) == 2 and {h.source for h in outlet} == {"Thanh Niên"}
        assert [h.id for h in found(states=["new"], priorities=["critical"])[0]] == [
            h.id for h in every if h.case_id == cases["queue"]
        ]
        assert found(states=["closed"])[0] == []
