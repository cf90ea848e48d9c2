"""Story pairing on the labelled set: copies pair up, different stories on one topic stay apart."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

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


# -- pinned to datasketch: stored signatures must stay comparable across releases -------------------------
# dedup computes MinHash and the (bands, rows) choice itself (no scipy in the analysis processes); these
# tests hold it to what datasketch 2 computes (MinHash's default "affine32" scheme, seed 1; MinHashLSH's
# optimal parameters), which is what signatures were computed with before.
TEXTS = [(p[side]["title"], p[side]["text"]) for p in PAIRS for side in ("a", "b")]


def _datasketch_signature(title: str, text: str, settings: QueueSettings) -> dedup.Signature:
    """The signature as dedup computed it through datasketch (the reference)."""
    sh = dedup.shingles(f"{title}\n{text}", settings.shingle_words)
    m = MinHash(num_perm=settings.num_perm, seed=1, scheme="affine32")
    m.update_batch(list(sh))
    values = m.hashvalues.astype(np.uint32)
    lsh = MinHashLSH(threshold=settings.lsh_threshold, num_perm=settings.num_perm)
    b, r = lsh.b, lsh.r
    bands = tuple(dedup.band_key(i, values[i * r : (i + 1) * r]) for i in range(b))
    tk = dedup.title_key(title)
    return dedup.Signature(values.tobytes(), len(sh), bands + ((tk,) if tk is not None else ()))


def test_signatures_are_datasketchs_on_the_labelled_texts():
    assert len(TEXTS) == 220
    for title, text in TEXTS:
        assert dedup.signature(title, text, SETTINGS) == _datasketch_signature(title, text, SETTINGS), title


@pytest.mark.parametrize(("shingle_words", "num_perm"), [(1, 128), (2, 64), (3, 256), (2, 16)])
def test_minhash_bytes_are_datasketchs(shingle_words, num_perm):
    for title, text in TEXTS[::3]:
        sh = dedup.shingles(f"{title}\n{text}", shingle_words)
        ref = MinHash(num_perm=num_perm, seed=1, scheme="affine32")
        ref.update_batch(list(sh))
        assert dedup.minhash(sh, num_perm).tobytes() == ref.hashvalues.astype(np.uint32).tobytes(), title


@pytest.mark.parametrize("items", [set(), {b"chay"}, {"công an".encode()}], ids=["empty", "one", "utf8"])
def test_minhash_edge_sets_are_datasketchs(items):
    ref = MinHash(num_perm=128, seed=1, scheme="affine32")
    ref.update_batch(list(items))
    assert dedup.minhash(items, 128).tobytes() == ref.hashvalues.astype(np.uint32).tobytes()


def test_datasketch_default_scheme_is_the_pinned_one():
    """Signatures stored so far were computed with datasketch's default scheme: the one pinned above."""
    sh = dedup.shingles(f"{TEXTS[0][0]}\n{TEXTS[0][1]}", 2)
    default = MinHash(num_perm=128, seed=1)
    default.update_batch(list(sh))
    assert default.scheme == "affine32"
    assert dedup.minhash(sh, 128).tobytes() == default.hashvalues.astype(np.uint32).tobytes()


@pytest.mark.parametrize("num_perm", [2, 16, 64, 128])
@pytest.mark.parametrize("threshold", [0.0, 0.1, 0.2, 0.25, 0.3, 0.33, 0.5, 0.7, 0.9, 1.0])
def test_bands_rows_are_minhashlshs(threshold, num_perm):
    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    except ValueError as exc:  # datasketch refuses (fewer than 2 bands): so does dedup
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            dedup._bands_rows(threshold, num_perm)
        return
    assert dedup._bands_rows(threshold, num_perm) == (lsh.b, lsh.r)


def test_bands_rows_of_the_shipped_settings():
    assert dedup._bands_rows(SETTINGS.lsh_threshold, SETTINGS.num_perm) == (28, 2)  # as the setting says


@pytest.mark.shared
def test_signatures_are_datasketchs_on_vntc(shared_data):
    with gzip.open(shared_data / "vntc" / "vntc_train.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for _, line in zip(range(300), f, strict=False)]
    for doc in docs:
        title, _, body = doc.partition("\n")
        assert dedup.signature(title, body, SETTINGS) == _datasketch_signature(title, body, SETTINGS), title
