"""Story pairing on the labelled set: copies pair up, different stories on one topic stay apart."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from monitor.config_tables import QueueSettings
from monitor.queue import dedup

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [json.loads(line) for line in (ROOT / "tests/data/story_pairs.jsonl").read_text("utf-8").splitlines()]
SETTINGS = QueueSettings()
MUST_PAIR = (
    "wire_copy",
    "no_diacritics",
    "title_prefix",
    "edited_copy",
    "rewrite",
    "rewrite_no_diacritics",
    "lede_only",
)
MUST_SPLIT = ("same_topic_other_story", "other_topic")


def _eval():
    spec = importlib.util.spec_from_file_location("eval_stories", ROOT / "bench/eval_stories.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Công an tỉnh Kon Tum", "cong an tinh kon tum"),
        ("ĐẮK HÀ", "dak ha"),
        ("Đăk Tô", "dak to"),
        ("hoà", "hoa"),
        ("Ngọc Hồi", "ngoc hoi"),
    ],
)
def test_fold(raw, folded):
    assert dedup.fold(raw) == folded


def test_shingles_drop_punctuation_and_diacritics():
    assert dedup.shingles("Kon Tum: Cháy chợ!", 2) == {b"kon tum", b"tum chay", b"chay cho"}
    assert dedup.shingles("Cháy", 2) == {b"chay"} and dedup.shingles("…", 2) == set()


def test_signature_is_stable_and_fits_bigint():
    title, text = PAIRS[0]["a"]["title"], PAIRS[0]["a"]["text"]
    a, b = dedup.signature(title, text, SETTINGS), dedup.signature(title, text, SETTINGS)
    assert a == b and len(a.minhash) == 4 * SETTINGS.num_perm
    assert all(-(2**63) <= k < 2**63 for k in a.bands) and len(set(a.bands)) == len(a.bands)


@pytest.mark.parametrize(
    "pair", [p for p in PAIRS if p["kind"] in MUST_PAIR + MUST_SPLIT], ids=lambda p: p["id"]
)
def test_labelled_pair(pair):
    ev = _eval()
    assert ev.predict(pair["a"], pair["b"], SETTINGS) is pair["same"], pair["kind"]


def test_precision_and_recall_on_the_committed_set():
    report = _eval().score(PAIRS, SETTINGS)
    assert report["precision"] >= 0.95 and report["recall"] >= 0.95, report


@pytest.mark.shared
def test_real_syndicated_pairs_from_vntc(shared_data):
    ev = _eval()
    report = ev.score(ev.vntc_real_pairs(), SETTINGS)
    assert report["precision"] == 1.0 and report["recall"] >= 0.75, report
