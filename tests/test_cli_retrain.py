"""Retraining end to end: `monitor train` writes a new model version, `monitor --models DIR reanalyze` uses it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from monitor.cli import app
from monitor.store.db import Database
from monitor.store.tables import AnalysisRow, ArticleRow, SourceRow

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 26, 3, tzinfo=UTC)
EXAMPLES = [
    ("Công an tỉnh Kon Tum bắt giữ đối tượng mua bán ma túy", "ma_tuy", "tich_cuc"),
    ("Triệt phá đường dây ma túy tổng hợp xuyên biên giới", "ma_tuy", "tich_cuc"),
    ("Thu giữ heroin, ma túy đá tại cửa khẩu", "ma_tuy", "tich_cuc"),
    ("Người dân bức xúc vì chờ làm căn cước cả ngày", "dich_vu_cong", "tieu_cuc"),
    ("Phản ánh cán bộ tiếp nhận hồ sơ cư trú gây khó dễ", "dich_vu_cong", "tieu_cuc"),
    ("Cấp căn cước lưu động cho người cao tuổi ở vùng sâu", "dich_vu_cong", "tich_cuc"),
    ("Va chạm giao thông trên quốc lộ 14, một người tử vong", "giao_thong", "trung_tinh"),
    ("Xe tải lật trên đèo, giao thông ùn tắc nhiều giờ", "giao_thong", "trung_tinh"),
    ("Tài xế vi phạm nồng độ cồn bị xử phạt", "giao_thong", "trung_tinh"),
]


def test_train_then_reanalyze_with_the_new_version(tmp_path: Path) -> None:
    data = tmp_path / "labels.jsonl"
    data.write_text(
        "\n".join(
            json.dumps({"text": t, "topic": p, "tone": o}, ensure_ascii=False) for t, p, o in EXAMPLES * 3
        ),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db = Database(url)
    db.migrate()
    with db.write() as s:
        src = SourceRow(key="bao", name="Báo", url="https://bao.vn/rss", kind="rss", created_at=NOW)
        s.add(src)
        s.flush()
        s.add(
            ArticleRow(
                source_id=src.id,
                item_key="k",
                url="https://bao.vn/1",
                canonical_url="https://bao.vn/1",
                content_hash="h",
                title="Bắt giữ đối tượng mua bán ma túy ở Kon Tum",
                summary="",
                text="Công an tỉnh Kon Tum bắt giữ hai đối tượng, thu giữ ma túy đá.",
                fetched_at=NOW,
                updated_at=NOW,
                extract_status="ok",
                extract_attempts=1,
            )
        )
    runner = CliRunner()
    base = ["--config", str(ROOT / "sources.toml"), "--db", url]
    first = runner.invoke(app, [*base, "reanalyze", "--workers", "0"], catch_exceptions=False)
    assert "Đã phân tích lại 1 bài" in first.output  # the shipped models
    with db.read() as s:
        shipped = s.scalars(select(AnalysisRow.model_version)).one()
    assert shipped != "test-retrain-1"
    models = tmp_path / "models"
    trained = runner.invoke(
        app,
        [
            *base,
            "--models",
            str(models),
            "train",
            "--no-seed",
            "--data",
            str(data),
            "--version",
            "test-retrain-1",
            "--force",  # 9 distinct examples: far below the per-class minimum, trained anyway on purpose
        ],
        catch_exceptions=False,
    )
    assert trained.exit_code == 0, trained.output
    assert (models / "manifest.json").exists() and "--models" in trained.output
    again = runner.invoke(
        app, [*base, "--models", str(models), "reanalyze", "--workers", "0"], catch_exceptions=False
    )
    assert again.exit_code == 0, again.output
    assert "Đã phân tích lại 1 bài" in again.output
    with db.read() as s:
        assert s.scalars(select(AnalysisRow.model_version)).one() == "test-retrain-1"
    db.dispose()
