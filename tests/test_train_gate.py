"""`monitor train` says what it used, refuses too little data, and never quietly replaces better models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import AnalysisError
from monitor.nlp.train import LabelledExample
from monitor.nlp.train_gate import Composition, Scores, composition, too_small, worse

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "monitor" / "data" / "seed_handwritten.jsonl"
DEV = ROOT / "tests" / "data" / "analysis_dev.jsonl"


def test_composition_counts_distinct_examples_by_origin_and_class() -> None:
    examples = [
        LabelledExample("Bắt giữ đối tượng mua bán ma túy", "ma_tuy", "tich_cuc", "seed"),
        LabelledExample("Bắt giữ đối tượng mua bán ma túy ", "ma_tuy", "tich_cuc", "file"),  # same text
        LabelledExample("Dân bức xúc chờ làm căn cước", "dich_vu_cong", "tieu_cuc", "verdict:3"),
    ]
    comp = composition(examples)
    assert comp.total == 2 and comp.by_origin == {"file": 1, "verdict": 1}
    assert comp.topics == {"ma_tuy": 1, "dich_vu_cong": 1}


def test_too_small_names_each_thin_class_in_vietnamese() -> None:
    comp = Composition(
        total=40,
        topics={"ma_tuy": 30, "giao_thong": 2},
        tones={"tieu_cuc": 20, "trung_tinh": 10, "tich_cuc": 10},
    )
    small = too_small(comp, minimum=10)
    assert "chủ đề “Giao thông”: 2" in small and "chủ đề “Ma túy”: 30" not in small
    assert not any("sắc thái" in s for s in small)


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        (Scores(0.80, 0.81), Scores(0.80, 0.77), ["sắc thái macro-F1 0,770 < 0,810"]),
        (Scores(0.80, 0.81), Scores(0.60, 0.81), ["chủ đề macro-F1 0,600 < 0,800"]),
        (Scores(0.80, 0.81), Scores(0.798, 0.83), []),  # within the tolerance
        (Scores(None, 0.81), Scores(0.1, 0.82), []),
    ],
)
def test_worse(old: Scores, new: Scores, lost: list[str]) -> None:
    assert worse(old, new) == lost


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_two_examples_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    data = _write(
        tmp_path / "hai.jsonl",
        [
            {"text": "Bắt giữ đối tượng mua bán ma túy", "topic": "ma_tuy", "tone": "tich_cuc"},
            {"text": "Dân bức xúc chờ làm căn cước", "topic": "dich_vu_cong", "tone": "tieu_cuc"},
        ],
    )
    models = tmp_path / "models"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            f"sqlite:///{tmp_path / 'm.db'}",
            "--models",
            str(models),
            "train",
            "--no-seed",
            "--data",
            str(data),
        ],
    )
    assert isinstance(result.exception, AnalysisError), result.output
    assert "Dữ liệu huấn luyện: 2 mẫu (tệp --data 2)" in result.output
    assert (
        "Quá ít dữ liệu" in result.exception.message and "chủ đề “Giao thông”: 0" in result.exception.message
    )
    assert not (models / "manifest.json").exists()


def test_worse_models_do_not_replace_better_ones_unless_forced(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(ROOT / "monitor" / "models", models)  # the current models: the shipped ones
    before = (models / "manifest.json").read_text(encoding="utf-8")
    dev = _write(
        tmp_path / "dev.jsonl",
        [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()[:120]],
    )
    # Enough examples per class, but mislabelled (every tone rotated): a worse model, for certain.
    rotate = {"tich_cuc": "tieu_cuc", "tieu_cuc": "trung_tinh", "trung_tinh": "tich_cuc"}
    rows = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = _write(tmp_path / "sai.jsonl", [{**r, "tone": rotate[r["tone"]]} for r in rows])
    base = ["--db", f"sqlite:///{tmp_path / 'm.db'}", "--models", str(models), "train", "--no-seed"]
    args = [*base, "--data", str(bad), "--dev", str(dev), "--version", "chi-seed"]
    refused = CliRunner().invoke(app, args)
    assert isinstance(refused.exception, AnalysisError), refused.output
    assert "Mô hình mới kém hơn mô hình hiện tại" in refused.exception.message
    assert "Đánh giá trên" in refused.output and "mô hình mới chi-seed" in refused.output
    assert (models / "manifest.json").read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".models")] == []  # no staging left
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((models / "manifest.json").read_text(encoding="utf-8"))["version"] == "chi-seed"


def test_training_says_when_shared_data_is_missing() -> None:
    from monitor.cli.train import format_composition

    line = format_composition(Composition(total=211, by_origin={"seed": 211}), shared_found=False)
    assert line.startswith("Dữ liệu huấn luyện: 211 mẫu (bộ seed viết tay 211).")
    assert "Không thấy ../shared/data" in line
