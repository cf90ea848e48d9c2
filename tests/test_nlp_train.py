"""Training, evaluation figures and the train/evaluate CLI (small data; the shipped seed where cheap)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from test_queue_support import NOW, PROOF, seed_cases, seed_users
from typer.testing import CliRunner, Result

from monitor.cli import app
from monitor.config_tables import QueueSettings
from monitor.nlp.analysis import Analyzer
from monitor.nlp.train import LabelledExample, evaluate, read_jsonl, seed_examples, task_report, train_models
from monitor.queue.service import Decision, act
from monitor.store.db import Database
from monitor.vocab import Action, State

DEV = Path(__file__).parent / "data" / "analysis_dev.jsonl"


def test_task_report_figures() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    rep = task_report(gold, pred, ("a", "b", "c"))
    by = {c.label: c for c in rep.per_class}
    assert (by["a"].precision, by["a"].recall) == (0.5, 0.5)
    assert by["b"].precision == pytest.approx(2 / 3) and by["b"].recall == 1.0
    assert by["c"].f1 == 0.0 and by["c"].support == 1
    assert rep.confusion["c"]["a"] == 1 and rep.accuracy == pytest.approx(0.6)
    assert rep.macro_f1 == pytest.approx((0.5 + 0.8 + 0.0) / 3)


@pytest.fixture(scope="module")
def small_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models trained on the hand-written seed only (150 items, well under a second)."""
    out = tmp_path_factory.mktemp("models")
    train_models(seed_examples(shared=None), out, version="test-1")
    return out


def test_train_writes_models_and_manifest(small_models: Path) -> None:
    assert {p.name for p in small_models.iterdir()} >= {"topic.bin", "tone.bin", "manifest.json"}
    manifest = json.loads((small_models / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "test-1" and manifest["sources"] == {"seed": 211}
    a = Analyzer.load(small_models).analyse("Triệt phá đường dây ma túy", "Thu giữ 3 bánh heroin.")
    assert a.model_version == "test-1" and a.topic and a.topic.label == "ma_tuy"


def test_later_sources_override_labels(tmp_path: Path) -> None:
    base = seed_examples(shared=None)
    fixed = LabelledExample(base[0].text, base[0].topic, "trung_tinh", "verdict:42")
    manifest = train_models([*base, fixed], tmp_path, version="t")
    assert manifest["n_examples"] == 211 and manifest["sources"]["verdict"] == 1


def test_evaluate_on_dev_set_reports_flags(small_models: Path) -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()][:60]
    exs = [LabelledExample(r["text"], r["topic"], r["tone"]) for r in rows]
    rep = evaluate(Analyzer.load(small_models), exs, [r["mentions"] for r in rows])
    assert rep.topic and rep.tone and rep.topic.n == 60
    assert 0.0 <= rep.topic.macro_f1 <= 1.0 and set(rep.flag) >= {"precision", "recall"}


def test_dev_set_shape() -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    assert all({"text", "topic", "tone", "mentions"} <= set(r) for r in rows)
    seed_texts = {e.text for e in seed_examples(shared=None)}
    assert not seed_texts & {r["text"] for r in rows}  # training never sees the dev set


def _cli(tmp_path: Path, *args: str) -> Result:
    """The real CLI on a database of its own in tmp_path."""
    return CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'train.db'}", *args])


def test_cli_train_uses_file_and_the_verdicts_in_the_database(tmp_path: Path) -> None:
    data = tmp_path / "extra.jsonl"
    rows = [{"text": e.text, "topic": e.topic, "tone": e.tone} for e in seed_examples(shared=None)[:40]]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    db = Database(f"sqlite:///{tmp_path / 'train.db'}")
    db.migrate()
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    verdict = Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, **PROOF)  # a false verdict carries proof
    act(db, case_id, "ctv1", verdict, QueueSettings(), NOW)
    db.dispose()
    out = tmp_path / "m"
    # 41 examples: below the per-class minimum and no dev set comparison wanted here, hence --force
    res = _cli(
        tmp_path,
        "train",
        "--no-seed",
        "--data",
        str(data),
        "--out",
        str(out),
        "--version",
        "v-cli",
        "--force",
    )
    assert res.exit_code == 0, res.output
    assert "Đã huấn luyện phiên bản v-cli từ 41 mẫu" in res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"] == {"file": 40, "verdict": 1}


def test_cli_train_refuses_missing_file(tmp_path: Path) -> None:
    res = _cli(tmp_path, "train", "--no-seed", "--data", str(tmp_path / "nope.jsonl"))
    assert res.exit_code != 0


def test_cli_evaluate_prints_tables(small_models: Path, tmp_path: Path) -> None:
    sample = tmp_path / "dev.jsonl"
    sample.write_text(
        "".join(DEV.read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8"
    )
    res = _cli(tmp_path, "evaluate", str(sample), "--models", str(small_models))
    assert res.exit_code == 0, res.output
    for fragment in ("Ma trận nhầm lẫn", "Chủ đề: macro-F1", "Sắc thái: macro-F1", "Gắn cờ", "test-1"):
        assert fragment in res.output


def test_read_jsonl_roundtrip(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text(
        '{"text": "Cháy nhà\\nKhông ai bị thương", "topic": "chay_no_cuu_nan"}\n\n', encoding="utf-8"
    )
    (ex,) = read_jsonl(p)
    assert ex.topic == "chay_no_cuu_nan" and ex.tone is None and ex.source == "file"


@pytest.mark.shared
def test_seed_with_shared_data(shared_data: Path) -> None:
    exs = seed_examples(shared_data)
    sources = {e.source for e in exs}
    assert {"seed", "vntc-weak", "danes"} <= sources and len(exs) > 10_000


BLIND = Path(__file__).parent / "data" / "analysis_dev_blind.jsonl"
BLIND2 = Path(__file__).parent / "data" / "analysis_dev_blind2.jsonl"
BLIND3 = Path(__file__).parent / "data" / "analysis_dev_blind3.jsonl"


@pytest.mark.parametrize(("path", "split"), [(BLIND, "blind1"), (BLIND2, "blind2"), (BLIND3, "blind3")])
def test_blind_split_holds_ids_and_labels_only(path: Path, split: str) -> None:
    from monitor import vocab

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert "text" not in r and r["id"].startswith("vntc:") and r["split"] == split
        assert r["topic"] in vocab.TOPICS and r["tone"] in vocab.TONES
        assert isinstance(r["mentions"], bool) and isinstance(r["unit"], bool)
    data = Path(__file__).parents[1] / "monitor" / "data"
    trained = {
        json.loads(line)["id"]
        for name in ("seed_weak_labels.jsonl", "seed_vntc_checked.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
    }
    assert not trained & {r["id"] for r in rows}  # training never sees the blind split


def test_blind_splits_share_no_article_with_each_other_or_the_dev_set() -> None:
    ids = [
        {json.loads(line)["id"] for line in p.read_text(encoding="utf-8").splitlines()}
        for p in (BLIND, BLIND2, BLIND3)
    ]
    dev = Path(__file__).parent / "data" / "analysis_dev.jsonl"
    dev_sources = {
        "vntc:" + json.loads(line)["source"].split(":", 1)[1]
        for line in dev.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["source"].startswith("vntc-test:")
    }
    assert len(dev_sources) > 100 and not (ids[0] | ids[1] | ids[2]) & dev_sources
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]


def test_read_dev_joins_ids_to_shared_texts(tmp_path: Path) -> None:
    from monitor.nlp.train import read_dev

    shared = tmp_path / "shared"
    (shared / "vntc").mkdir(parents=True)
    with gzip.open(shared / "vntc" / "vntc_test_sample.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"doc_id": "Test_Full/X/1.txt", "text": "Cháy chợ\nKhông ai bị thương."}) + "\n")
    f = tmp_path / "dev.jsonl"
    rows = [
        {"id": "vntc:Test_Full/X/1.txt", "topic": "chay_no_cuu_nan", "tone": "trung_tinh", "mentions": True},
        {"id": "vntc:Test_Full/X/missing.txt", "topic": "khac", "tone": "trung_tinh"},
        {"text": "Tiêu đề\nThân bài", "topic": "khac", "tone": "trung_tinh", "split": "x"},
    ]
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    items = read_dev(f, shared)
    assert [i.example.text for i in items] == ["Cháy chợ\nKhông ai bị thương.", "Tiêu đề\nThân bài"]
    assert items[0].mentions is True and items[1].split == "x"
    assert [i.example.text for i in read_dev(f, None)] == ["Tiêu đề\nThân bài"]


def test_cli_evaluate_refuses_a_file_without_usable_rows(tmp_path: Path) -> None:
    f = tmp_path / "ids.jsonl"
    f.write_text(
        '{"id": "vntc:Test_Full/none.txt", "topic": "khac", "tone": "trung_tinh"}\n', encoding="utf-8"
    )
    res = _cli(tmp_path, "evaluate", str(f))
    assert res.exit_code != 0 and "không có mẫu nào đọc được" in str(res.exception)


@pytest.mark.shared
def test_cli_evaluate_reads_the_blind_split(shared_data: Path, small_models: Path, tmp_path: Path) -> None:
    """The blind split ships ids only; evaluate joins them to ../shared and prints per class and flags."""
    res = _cli(tmp_path, "evaluate", str(BLIND), "--models", str(small_models))
    assert res.exit_code == 0, res.output
    assert "Gắn cờ" in res.output and "Sắc thái: macro-F1" in res.output and "(204 mẫu)" in res.output
