"""Event matching: two outlets' own reports of one event join, other events stay apart (queue.events)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_queue_support import ESCAPE_A, ESCAPE_B, ESCAPE_B_NAMELESS, FIRE, OTHER_ESCAPE

from monitor.config_tables import QueueSettings
from monitor.queue import events
from monitor.queue.events import Verdict

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = QueueSettings()


def _corpus() -> events.Idf:
    """Document frequencies over the committed pair texts plus these reports (a stand-in archive)."""
    texts = {ESCAPE_A, ESCAPE_B, ESCAPE_B_NAMELESS, OTHER_ESCAPE, FIRE}
    for line in (ROOT / "tests/data/story_pairs.jsonl").read_text("utf-8").splitlines():
        pair = json.loads(line)
        texts.update((pair[k]["title"], pair[k]["text"]) for k in ("a", "b"))
    return events.idf(events.event_text(t, x) for t, x in texts)


WEIGHTS = _corpus()


@pytest.mark.parametrize(
    ("title", "text", "names"),
    [
        ("Bà Y Hiên, trú xã Đăk Blà", "", {"y hien", "dak bla"}),
        ("Phòng Cảnh sát giao thông Công an tỉnh Kon Tum", "", {"kon tum"}),
        (
            "",
            "Nguyễn Văn Hùng bị bắt tại số 2 Trần Hưng Đạo, TP Kon Tum.",
            {"nguyen van hung", "tran hung dao", "kon tum"},
        ),
        ("Cong an tinh Kon Tum bat 2 doi tuong", "", {"kon tum"}),  # without diacritics
        ("UBND huyện Sa Thầy họp báo", "", {"sa thay"}),  # acronyms are not names
        ("Hai bị can trốn khỏi nhà tạm giữ", "", set()),
    ],
)
def test_proper_names(title: str, text: str, names: set[str]) -> None:
    assert events.proper_names(title, text) == names


def test_content_terms_fold_and_drop_function_words() -> None:
    terms = events.content_terms("Công an tỉnh Kon Tum bắt 5 đối tượng", "Vụ cháy của chợ Kon Tum.")
    assert terms["kon tum"] == 3  # title twice, lead once, folded like the unaccented spelling
    assert "cua" not in terms and "5" not in terms and "cong" not in terms
    assert events.content_terms("Cong an tinh Kon Tum", "") == events.content_terms(
        "Công an tỉnh Kon Tum", ""
    )


@pytest.mark.parametrize(
    ("a", "b", "hours", "verdict"),
    [
        (ESCAPE_A, ESCAPE_B, 5, Verdict.SAME),  # own words, shared people and place: joined
        (ESCAPE_B, ESCAPE_A, -5, Verdict.SAME),  # symmetric
        (ESCAPE_A, ESCAPE_B_NAMELESS, 5, Verdict.MAYBE),  # alike, but no name both give: only suggested
        (ESCAPE_A, ESCAPE_B, 100, Verdict.DIFFERENT),  # outside the 72-hour window
        (ESCAPE_A, OTHER_ESCAPE, 5, Verdict.DIFFERENT),  # another escape, other people and province
        (ESCAPE_A, FIRE, 5, Verdict.DIFFERENT),
    ],
)
def test_decide(a: tuple[str, str], b: tuple[str, str], hours: float, verdict: Verdict) -> None:
    got = events.decide(events.event_text(*a), events.event_text(*b), hours, WEIGHTS, SETTINGS)
    assert got.verdict is verdict, got


def test_same_event_names_its_evidence() -> None:
    got = events.decide(events.event_text(*ESCAPE_A), events.event_text(*ESCAPE_B), 1, WEIGHTS, SETTINGS)
    assert {"y khoa", "a thiet"} <= set(got.shared_names)
    # names many reports of the archive give identify no event: the province, a district in the news
    assert "kon tum" not in got.shared_names and "dak ha" not in got.shared_names
    assert SETTINGS.event_join <= got.cosine <= 1


def test_thresholds_come_from_settings() -> None:
    a, b = events.event_text(*ESCAPE_A), events.event_text(*ESCAPE_B)
    strict = replace(SETTINGS, event_join=0.99, event_suggest=0.98)
    assert events.decide(a, b, 1, WEIGHTS, strict).verdict is Verdict.DIFFERENT
    loose = replace(SETTINGS, event_join_names=0, event_join=0.4)
    nameless = events.event_text(*ESCAPE_B_NAMELESS)
    assert events.decide(a, nameless, 1, WEIGHTS, SETTINGS).verdict is Verdict.MAYBE
    assert events.decide(a, nameless, 1, WEIGHTS, loose).verdict is Verdict.SAME


def test_cosine_is_one_for_the_same_text_and_zero_for_nothing_shared() -> None:
    a = events.event_text(*ESCAPE_A)
    assert events.cosine(a, a, WEIGHTS) == pytest.approx(1.0)
    assert events.cosine(a, events.event_text("", ""), WEIGHTS) == 0.0


# -- the window kept between batches (EventCorpus) --------------------------------------------------
T0 = datetime(2026, 11, 30, 8, tzinfo=UTC)
REPORTS = {
    i: events.event_text(*doc) for i, doc in enumerate([ESCAPE_A, OTHER_ESCAPE, FIRE, ESCAPE_B_NAMELESS], 1)
}


def _window(*ids: int) -> list[tuple[int, int, datetime]]:
    """(article, story, seen at) rows as the archive gives them: article i in story 100 + i."""
    return [(i, 100 + i, T0 + timedelta(hours=i)) for i in ids]


def _held(corpus: events.EventCorpus) -> set[int]:
    return {a for a, _ in corpus.texts}


def test_corpus_reads_only_reports_new_to_it_and_counts_as_a_fresh_count() -> None:
    corpus = events.EventCorpus()
    assert corpus.missing(_window(1, 2)) == [1, 2]
    corpus.sync(_window(1, 2), {1: REPORTS[1], 2: REPORTS[2]})
    corpus.remember(3, T0 + timedelta(hours=3), REPORTS[3])  # placed by this batch: never read back
    assert corpus.missing(_window(2, 3, 4)) == [4]
    corpus.sync(_window(2, 3, 4), {4: REPORTS[4]})
    assert _held(corpus) == {2, 3, 4}
    n, df = events.document_frequencies(REPORTS[i] for i in (2, 3, 4))
    assert len(corpus) == n and corpus.df == df  # report 1 left the window and its counts with it


def test_a_reused_article_id_with_another_time_is_another_report() -> None:
    corpus = events.EventCorpus()
    corpus.sync(_window(1), {1: REPORTS[1]})
    later = [(1, 101, T0 + timedelta(days=9))]
    assert corpus.missing(later) == [1]
    corpus.sync(later, {1: REPORTS[3]})
    assert list(corpus.texts.values()) == [REPORTS[3]]


def test_an_index_over_the_kept_window_finds_what_a_fresh_index_finds() -> None:
    """The stage's index (a kept corpus, several syncs) matches like one built from scratch."""
    corpus = events.EventCorpus()
    corpus.sync(_window(2, 3), {2: REPORTS[2], 3: REPORTS[3]})
    for _ in range(3):  # reports leave and come back: the posting lists stay right
        corpus.sync(_window(1), {1: REPORTS[1]})
        corpus.sync(_window(1, 2, 3), {2: REPORTS[2], 3: REPORTS[3]})
    searched = events.event_text(*ESCAPE_B)
    kept = events.EventIndex(events.idf([searched], base=corpus), SETTINGS, [searched], base=corpus)
    fresh_weights = events.idf([*(REPORTS[i] for i in (1, 2, 3)), searched])
    fresh = events.EventIndex(fresh_weights, SETTINGS, [searched])
    for a, story, at in _window(1, 2, 3):
        fresh.add(story, at, REPORTS[a], key=a)
    at = T0 + timedelta(hours=5)
    got = kept.matches(events.weigh(searched, kept.weights), at)
    want = fresh.matches(events.weigh(searched, fresh_weights), at)
    assert got == want
    assert got and got[0].story_id == 101  # the other outlet's report of the same escape


def test_a_report_dropped_from_the_window_is_never_found() -> None:
    corpus = events.EventCorpus()
    corpus.sync(_window(1, 2, 3), {1: REPORTS[1], 2: REPORTS[2], 3: REPORTS[3]})
    corpus.sync(_window(2, 3), {})  # the escape report left the window
    searched = events.event_text(*ESCAPE_B)
    index = events.EventIndex(events.idf([searched], base=corpus), SETTINGS, [searched], base=corpus)
    found = index.matches(events.weigh(searched, index.weights), T0 + timedelta(hours=5))
    assert 101 not in {m.story_id for m in found}


def test_a_report_back_in_the_window_is_counted_once() -> None:
    """A window that moves back (an old backlog after new reports) brings a report back: found once."""
    corpus = events.EventCorpus()
    corpus.sync(_window(1, 2, 3, 4), {i: REPORTS[i] for i in (1, 2, 3, 4)})
    corpus.sync(_window(2, 3, 4), {})
    back = _window(1, 2, 3, 4)
    assert corpus.missing(back) == [1]
    corpus.sync(back, {1: REPORTS[1]})  # report 1 is back: its old posting entries serve again
    assert all(len(keys) == len(set(keys)) for keys in corpus.postings.values())
    n, df = events.document_frequencies(REPORTS[i] for i in (1, 2, 3, 4))
    assert len(corpus) == n and corpus.df == df
