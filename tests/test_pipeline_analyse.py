"""Analyse stage end to end: stored articles → mentions, topic, tone, flags, stories and cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from monitor.config import load_config
from monitor.pipeline.analyse import Analysers, analyse_pending
from monitor.store.analyses import count_pending_analysis, pending_analysis
from monitor.store.db import Database
from monitor.store.export import export_batches
from monitor.store.tables import AnalysisRow, ArticleRow, SourceRow
from tests.pipeline_helpers import run_together

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

ARTICLES = [
    (
        "Người dân xếp hàng từ 4 giờ sáng chờ làm căn cước ở Kon Tum",
        "Nhiều người dân bức xúc vì phải chờ cả ngày tại trụ sở Công an phường Kon Tum nhưng không đến lượt làm căn cước. "
        "Người dân phản ánh việc phát số thiếu minh bạch, đề nghị Công an tỉnh Kon Tum sớm khắc phục.",
    ),
    (
        "Công an tỉnh Kon Tum triệt phá đường dây ma túy xuyên biên giới",
        "Công an tỉnh Kon Tum vừa triệt phá đường dây mua bán trái phép chất ma túy qua cửa khẩu Bờ Y, bắt giữ 5 đối tượng.",
    ),
    ("Giá vàng trong nước tăng mạnh", "Giá vàng miếng tăng thêm 500.000 đồng mỗi lượng so với phiên trước."),
    ("", ""),  # empty: recorded, not a crash
    ("😀😀😀", "🙂🙂"),  # only emoji
    (
        "Police in Kon Tum arrest drug traffickers",
        "The provincial police said five suspects were detained near the border.",
    ),
    # Inputs that crashed underthesea, control characters and HTML left in text (NUL and lone surrogates
    # never reach the store: the parse stage strips them; the analyzer's own tests feed them directly).
    ("Đaị 000 85 .", "000 85 . \x01\x1f <b>HTML</b> &amp; còn sót"),
    ("Gold prices rise in London", "Gold prices rose on Monday as the dollar weakened, traders said."),
    (
        "Cong an tinh Kon Tum bat 2 doi tuong van chuyen 3 kg can sa",
        "Cac doi tuong da bi tam giu de dieu tra.",
    ),
]


@pytest.fixture(scope="module")
def loaded() -> Iterator[tuple[Analysers, object]]:
    config = load_config(ROOT / "sources.toml")
    analysers = Analysers.load(config)
    yield analysers, config
    analysers.close()  # the analysis processes a big pass started


def _seed(db: Database, docs: list[tuple[str, str]], weight: float = 2.0) -> list[int]:
    with db.write() as s:
        src = SourceRow(
            key="bao", name="Báo", url="https://bao.vn/rss", kind="rss", weight=weight, created_at=NOW
        )
        s.add(src)
        s.flush()
        rows = [
            ArticleRow(
                source_id=src.id,
                item_key=f"k{i}",
                url=f"https://bao.vn/{i}",
                canonical_url=f"https://bao.vn/{i}",
                content_hash=str(i),
                title=t,
                summary="",
                text=b,
                fetched_at=NOW,
                updated_at=NOW,
                extract_status="ok",
                extract_attempts=1,
            )
            for i, (t, b) in enumerate(docs)
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def test_articles_get_mentions_topic_tone_flags_and_cases(db: Database, loaded) -> None:  # type: ignore[no-untyped-def]
    analysers, config = loaded
    ids = _seed(db, ARTICLES)
    report = analyse_pending(db, config, analysers, workers=0)
    assert report.analysed == len(ARTICLES)
    assert report.skipped >= 3  # empty, emoji, English without a mention
    with db.read() as s:
        records = {r["id"]: r for batch in export_batches(s, None) for r in batch}
        rows = {a.article_id: a for a in s.scalars(select(AnalysisRow))}
    queue, drugs, gold = records[ids[0]], records[ids[1]], records[ids[2]]
    assert {m["kind"] for m in queue["mentions"]} == {"unit", "province"}
    assert queue["tone"] == "tieu_cuc" and queue["flagged"] and queue["flag_reasons"]
    assert queue["flag_reasons"][0].startswith(
        "Nhắc đến Công an tỉnh Kon Tum ("
    )  # the name, not "ca-kon-tum"
    assert queue["story_id"] is not None and queue["case_status"] == "new"
    assert drugs["topic"] == "ma_tuy" and drugs["tone"] == "tich_cuc" and not drugs["flagged"]
    assert gold["mentions"] == [] and not gold["flagged"] and gold["story_id"] is None
    mention = queue["mentions"][0]
    doc = f"{ARTICLES[0][0]}\n\n{ARTICLES[0][1]}"
    assert doc[mention["start"] : mention["end"]] and "«" in mention["snippet"]
    # English that mentions a watched target is analysed, its language recorded (issue 8); English that
    # mentions nothing is skipped with a reason; Vietnamese without diacritics is Vietnamese (issue 11).
    assert rows[ids[5]].skipped is None and rows[ids[5]].language == "en" and rows[ids[5]].topic
    assert records[ids[5]]["mentions"] and records[ids[5]]["story_id"] is not None
    # English about the unit: the models cannot read it, so it goes to the queue for a person to read
    assert rows[ids[5]].flagged and "cần người đọc" in rows[ids[5]].flag_reasons[0]
    assert rows[ids[5]].tone == "trung_tinh"
    assert rows[ids[7]].skipped and "tiếng Việt" in rows[ids[7]].skipped
    assert rows[ids[8]].language == "vi" and rows[ids[8]].skipped is None
    assert rows[ids[3]].skipped  # empty text
    assert rows[ids[6]].model_version  # the crash-prone input got a recorded outcome
    assert report.cases_opened == 2 == report.queue.cases_opened  # the queue article and the English one
    assert report.queue.stories_created >= 1 and report.queue.assigned >= report.queue.stories_created


def test_reanalysis_after_a_new_model_version(db: Database, loaded) -> None:  # type: ignore[no-untyped-def]
    analysers, config = loaded
    version = analysers.analyzer.version
    _seed(db, ARTICLES[:3])
    with db.read() as s:
        assert count_pending_analysis(s) == 3
    analyse_pending(db, config, analysers, workers=0)
    assert analyse_pending(db, config, analysers, workers=0).analysed == 0  # nothing pending
    with db.write() as s:
        s.execute(update(AnalysisRow).values(model_version="old"))
    with db.read() as s:  # the count the progress bar shows agrees with what re-analysis picks up
        assert count_pending_analysis(s) == 0
        assert count_pending_analysis(s, stale_version=version) == 3
        assert len(pending_analysis(s, limit=10, stale_version=version)) == 3
    again = analyse_pending(db, config, analysers, reanalyse=True, workers=0)
    assert again.analysed == 3 and again.cases_opened == 0  # re-analysis never opens a second case
    with db.read() as s:
        assert set(s.scalars(select(AnalysisRow.model_version))) == {analysers.analyzer.version}


def test_worker_processes_give_the_same_results(tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    analysers, config = loaded
    results = []
    for workers in (0, 2):
        db = Database(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        db.migrate()
        _seed(db, ARTICLES)
        # more than one batch → the process pool is used
        report = analyse_pending(db, config, analysers, workers=workers, batch_size=3)
        with db.read() as s:
            results.append(
                sorted((a.article_id, a.topic, a.tone, a.flagged) for a in s.scalars(select(AnalysisRow)))
            )
        db.dispose()
        assert report.analysed == len(ARTICLES)
    assert results[0] == results[1]


def test_analysis_processes_are_kept_for_the_next_pass(tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    """Started by the first big pass, reused by the next (the daemon's every pass), stopped by close()."""
    _shared, config = loaded
    analysers = Analysers.load(config)  # its own processes, whatever other tests did
    db = Database(f"sqlite:///{tmp_path / 'kept.db'}")
    db.migrate()
    try:
        _seed(db, ARTICLES)
        assert analysers._pool is None
        assert analyse_pending(db, config, analysers, workers=2, batch_size=3).analysed == len(ARTICLES)
        assert analysers._pool is not None  # more than one batch: the first pass started them
        pool = analysers._pool[0]
        with db.write() as s:  # the same texts again, as new articles
            for a in s.scalars(select(ArticleRow)).all():
                a.analysed_at = None
        assert analyse_pending(db, config, analysers, workers=2, batch_size=3).analysed == len(ARTICLES)
        assert analysers.pool(config, 2) is pool  # the same processes did the second pass
        assert analysers.pool(config, 1) is not pool  # another size: new processes
    finally:
        analysers.close()
        db.dispose()
    assert analysers._pool is None


def test_a_pass_interrupted_before_the_queue_stage_is_completed_by_the_next(
    db: Database, loaded, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """kill between storing analyses and the queue stage: the flagged article still gets its story and case."""
    analysers, config = loaded
    ids = _seed(db, ARTICLES[:1])

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("killed between the two stages")

    monkeypatch.setattr("monitor.pipeline.queue.run_queue_stage", crash)
    with pytest.raises(SystemExit):
        analyse_pending(db, config, analysers, workers=0)
    monkeypatch.undo()
    report = analyse_pending(db, config, analysers, workers=0)
    assert report.analysed == 0 and report.cases_opened == 1
    with db.read() as s:
        status = next(r for batch in export_batches(s, None) for r in batch)
    assert status["id"] == ids[0] and status["story_id"] is not None and status["case_status"] == "new"


def test_two_processes_storing_the_same_analyses_do_not_collide(db_url: str, loaded) -> None:  # type: ignore[no-untyped-def]
    """`monitor fetch` beside `monitor run`: both analyse the same pending articles and store them."""
    from monitor.store.analyses import AnalysisRecord, save_analyses

    db = Database(db_url)
    ids = _seed(db, ARTICLES[:2])
    records = [
        AnalysisRecord(
            article_id=i,
            language="vi",
            model_version="v",
            topic="khac",
            tone="trung_tinh",
            mentions=(
                {
                    "target": "kon-tum",
                    "kind": "province",
                    "alias": "Kon Tum",
                    "level": "exact",
                    "start": 0,
                    "end": 7,
                    "snippet": "«Kon Tum»",
                },
            ),
        )
        for i in ids
    ]

    def store() -> None:
        own = Database(db_url)
        try:
            with own.write() as s:
                save_analyses(s, records, NOW)
        finally:
            own.dispose()

    errors = run_together(store, 3)
    assert errors == []
    from monitor.store.tables import MentionRow

    with db.read() as s:
        assert len(list(s.scalars(select(AnalysisRow)))) == 2
        assert len(list(s.scalars(select(MentionRow)))) == 2  # one set of mentions, not three
    db.dispose()


def test_story_follows_an_article_edited_to_no_longer_concern_the_targets(db: Database, loaded) -> None:  # type: ignore[no-untyped-def]
    from monitor.store.queue_tables import StoryRow

    analysers, config = loaded
    ids = _seed(db, ARTICLES[:1])
    analyse_pending(db, config, analysers, workers=0)
    with db.read() as s:
        assert s.scalars(select(StoryRow.targets)).one()  # the queue story names its targets
    with db.write() as s:  # the outlet rewrote the article: it no longer names Kon Tum
        s.execute(
            update(ArticleRow)
            .where(ArticleRow.id == ids[0])
            .values(
                title="Người dân xếp hàng chờ làm căn cước",
                text="Nhiều người dân phải chờ cả ngày.",
                analysed_at=None,
            )
        )
    analyse_pending(db, config, analysers, workers=0)
    with db.read() as s:
        assert s.scalars(select(StoryRow.targets)).one() == []
