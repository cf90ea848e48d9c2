"""Pairing precision/recall of the story matcher (LSH band collision + MinHash Jaccard/containment).

    python bench/eval_stories.py                       # the committed set tests/data/story_pairs.jsonl
    python bench/eval_stories.py --vntc 300            # + pairs derived from ../shared/data/vntc (if present)
    python bench/eval_stories.py --similarity 0.45     # try another threshold
    python bench/eval_stories.py --events              # + event matching on the hand-labelled pairs

`--events` adds what the queue stage does after the near-duplicate test (`monitor.queue.events`): on the
committed set and on bench/event_pairs.jsonl (VNTC doc ids labelled by hand: same event, related — the
same affair at another step, different; "round": 2 marks pairs labelled after the thresholds were set),
how many same-event pairs are joined (copy or event), suggested ("có thể cùng sự việc") or missed, and how
many related/different pairs would be merged automatically.

A pair is predicted "same story" when the two signatures share an LSH band (the only way the stage ever
sees a candidate) and `dedup.same_story` accepts it — exactly what `run_queue_stage` does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from monitor.config_tables import QueueSettings
from monitor.queue import dedup, events

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "story_pairs.jsonl"
EVENT_PAIRS = ROOT / "bench" / "event_pairs.jsonl"
VNTC_TRAIN = ROOT.parent / "shared" / "data" / "vntc" / "vntc_train.jsonl.gz"
BACKGROUND = 1000  # recent-archive stand-in whose document frequencies weigh the words
VNTC = ROOT.parent / "shared" / "data" / "vntc" / "vntc_test_sample.jsonl.gz"

# Real syndicated pairs found in the VNTC test sample (doc ids only; the texts stay in ../shared), labelled by
# hand: the same story from two outlets or republished, and the closest pairs that are different stories.
REAL_SAME = [
    ("Test_Full/Chinh tri Xa hoi/XH_NLD_T_ (9196).txt", "Test_Full/Chinh tri Xa hoi/XH_NLD_T_ (9194).txt"),
    ("Test_Full/Doi song/DS_VNE_T_ (1111).txt", "Test_Full/Doi song/DS_TN_T_ (427).txt"),
    ("Test_Full/Doi song/DS_VNE_T_ (1446).txt", "Test_Full/Doi song/DS_TN_T_ (197).txt"),
    ("Test_Full/Suc khoe/SK_VNE_T_ (5259).txt", "Test_Full/Suc khoe/SK_NLD_T_ (6092).txt"),
    ("Test_Full/Phap luat/PL_TT_T_ (3296).txt", "Test_Full/Phap luat/PL_VNE_T_ (1960).txt"),
    ("Test_Full/Doi song/DS_VNE_T_ (1750).txt", "Test_Full/Doi song/DS_NLD_T_ (902).txt"),
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (6319).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (4948).txt"),
    ("Test_Full/Phap luat/PL_NLD_T_ (4013).txt", "Test_Full/Phap luat/PL_VNE_T_ (1350).txt"),
    ("Test_Full/Phap luat/PL_TT_T_ (3199).txt", "Test_Full/Phap luat/PL_VNE_T_ (2457).txt"),
]
REAL_OTHER = [
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (4958).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (6156).txt"),
    ("Test_Full/Vi tinh/VT_VNE_T_ (1529).txt", "Test_Full/Vi tinh/VT_VNE_T_ (2022).txt"),
    ("Test_Full/Kinh doanh/KD_VNE_T_ (3899).txt", "Test_Full/Kinh doanh/KD_VNE_T_ (2854).txt"),
    ("Test_Full/Kinh doanh/KD_VNE_T_ (1510).txt", "Test_Full/Kinh doanh/KD_VNE_T_ (4671).txt"),
    ("Test_Full/The thao/TT_VNE_T_ (3054).txt", "Test_Full/The thao/TT_VNE_T_ (3066).txt"),
    ("Test_Full/Kinh doanh/KD_VNE_T_ (5042).txt", "Test_Full/Kinh doanh/KD_VNE_T_ (5159).txt"),
    ("Test_Full/The gioi/TG_VNE_T_ (7343).txt", "Test_Full/The gioi/TG_VNE_T_ (7352).txt"),
    ("Test_Full/Phap luat/PL_VNE_T_ (1992).txt", "Test_Full/Phap luat/PL_VNE_T_ (2009).txt"),
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (5657).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (5640).txt"),
    ("Test_Full/Suc khoe/SK_VNE_T_ (2943).txt", "Test_Full/Suc khoe/SK_VNE_T_ (3165).txt"),
    ("Test_Full/The thao/TT_VNE_T_ (4511).txt", "Test_Full/The thao/TT_VNE_T_ (4363).txt"),
    ("Test_Full/The thao/TT_VNE_T_ (4743).txt", "Test_Full/The thao/TT_VNE_T_ (4981).txt"),
    ("Test_Full/The thao/TT_VNE_T_ (6045).txt", "Test_Full/The thao/TT_VNE_T_ (5849).txt"),
    ("Test_Full/The thao/TT_VNE_T_ (2446).txt", "Test_Full/The thao/TT_VNE_T_ (2054).txt"),
    ("Test_Full/Chinh tri Xa hoi/XH_NLD_T_ (9472).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (6607).txt"),
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (1262).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (965).txt"),
    ("Test_Full/Doi song/DS_VNE_T_ (2377).txt", "Test_Full/Doi song/DS_VNE_T_ (2118).txt"),
    ("Test_Full/Phap luat/PL_VNE_T_ (1668).txt", "Test_Full/Phap luat/PL_VNE_T_ (2009).txt"),
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (91).txt", "Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (1771).txt"),
]


def predict(a: dict, b: dict, settings: QueueSettings) -> bool:
    """Whether the stage would put the two articles in one story."""
    sa = dedup.signature(a["title"], a["text"], settings)
    sb = dedup.signature(b["title"], b["text"], settings)
    if not set(sa.bands) & set(sb.bands):
        return False
    return dedup.same_story(sa, sb.minhash, sb.shingles, settings) is not None


def score(pairs: list[dict], settings: QueueSettings) -> dict:
    """Precision, recall and per-kind accuracy."""
    tp = fp = fn = tn = 0
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors = []
    for p in pairs:
        got = predict(p["a"], p["b"], settings)
        tp += got and p["same"]
        fp += got and not p["same"]
        fn += (not got) and p["same"]
        tn += (not got) and not p["same"]
        kinds[p["kind"]][0] += got == p["same"]
        kinds[p["kind"]][1] += 1
        if got != p["same"]:
            errors.append(p.get("id", "?") + " " + p["kind"])
    return {
        "pairs": len(pairs),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "per_kind": {k: f"{ok}/{n}" for k, (ok, n) in sorted(kinds.items())},
        "errors": errors[:20],
    }


def _strip(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    )


def vntc_pairs(n: int, seed: int = 7) -> list[dict]:
    """Derived pairs from VNTC: copies (truncated, no diacritics, prefixed, edited) vs same-label others."""
    rng = random.Random(seed)
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    docs = [d for d in docs if len(d["text"]) > 600]
    rng.shuffle(docs)
    docs = docs[:n]
    by_label = defaultdict(list)
    for d in docs:
        by_label[d["label"]].append(d)
    out = []
    for d in docs:
        title, _, body = d["text"].partition("\n")
        a = {"title": title, "text": body}
        sents = re.split(r"(?<=[.!?])\s+", body)
        variants = {
            "vntc_truncated_70": {"title": title, "text": body[: int(len(body) * 0.7)]},
            "vntc_no_diacritics": {"title": _strip(title), "text": _strip(body)},
            "vntc_prefix_wire": {"title": "TP.HCM: " + title, "text": "(TTXVN) " + body + " Theo TTXVN"},
            "vntc_drop_sentences": {
                "title": title,
                "text": " ".join(s for i, s in enumerate(sents) if i % 4 != 2),
            },
            "vntc_lede_only": {"title": title, "text": " ".join(sents[:3])},
        }
        for kind, b in variants.items():
            out.append({"kind": kind, "same": True, "a": a, "b": b})
        for other in rng.sample([o for o in by_label[d["label"]] if o is not d], 3):
            ot, _, ob = other["text"].partition("\n")
            out.append(
                {"kind": "vntc_same_label_other", "same": False, "a": a, "b": {"title": ot, "text": ob}}
            )
    return out


def vntc_real_pairs() -> list[dict]:
    """The hand-labelled real pairs, texts read from ../shared."""
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        docs = {d["doc_id"]: d for d in map(json.loads, f)}

    def doc(doc_id: str) -> dict:
        title, _, body = docs[doc_id]["text"].partition("\n")
        return {"title": title, "text": body}

    return [
        {
            "id": f"{a} ~ {b}",
            "kind": f"vntc_real_{'same' if same else 'other'}",
            "same": same,
            "a": doc(a),
            "b": doc(b),
        }
        for same, lst in ((True, REAL_SAME), (False, REAL_OTHER))
        for a, b in lst
    ]


def _view(doc: dict) -> events.EventText:
    return events.event_text(doc["title"], doc["text"])


def _vntc_docs(ids: set[str], background: int, seed: int = 5) -> tuple[dict[str, dict], list[dict]]:
    """The labelled documents by id, and `background` other VNTC train documents (a random sample)."""
    found: dict[str, dict] = {}
    pool: list[dict] = []
    rng = random.Random(seed)
    for path in (VNTC, VNTC_TRAIN):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                title, _, body = d["text"].partition("\n")
                doc = {"title": title, "text": body}
                if d["doc_id"] in ids:
                    found[d["doc_id"]] = doc
                elif path == VNTC_TRAIN and rng.random() < background / 33_000:
                    pool.append(doc)
    return found, pool


def stage_verdict(a: dict, b: dict, weights: events.Idf, settings: QueueSettings) -> str:
    """What the queue stage does with the pair: 'copy', 'same' (event join), 'maybe' or 'different'."""
    if predict(a, b, settings):
        return "copy"
    return events.decide(_view(a), _view(b), 0.0, weights, settings).verdict.value


def indexed_verdicts(pairs: list[dict], background: list[dict], settings: QueueSettings) -> list[str]:
    """What the stage's own path says of each pair: the copy test, then `EventIndex` candidate search.

    Every document (background and both sides of every pair) goes in one index as its own story; a pair's
    "b" must be found among the candidates of its "a" (the 20 heaviest terms, `event_max_candidates`).
    """
    docs: dict[str, dict] = {}
    for p in pairs:
        for side in ("a", "b"):
            docs.setdefault(p[side]["title"] + "\n" + p[side]["text"], p[side])
    views = {k: _view(d) for k, d in docs.items()}
    base = [_view(d) for d in background]
    weights = events.idf([*base, *views.values()])
    story = {k: i for i, k in enumerate(views)}
    weighed = {k: events.weigh(v, weights) for k, v in views.items()}
    index = events.EventIndex(weights, settings, searched=list(views.values()))
    at = datetime(2026, 12, 1, tzinfo=UTC)
    for i, v in enumerate(base):
        index.add(-1 - i, at, v)
    for k, w in weighed.items():
        index.add(story[k], at, views[k], w)
    out = []
    for p in pairs:
        ka, kb = (p[s]["title"] + "\n" + p[s]["text"] for s in ("a", "b"))
        if predict(p["a"], p["b"], settings):
            out.append("copy")
            continue
        found = {m.story_id: m.match for m in index.matches(weighed[ka], at) if m.story_id != story[ka]}
        out.append(found[story[kb]].verdict.value if story[kb] in found else "different")
    return out


def score_events(
    pairs: list[dict], weights: events.Idf, settings: QueueSettings, background: list[dict] | None = None
) -> dict:
    """Per label: how many pairs the stage joins (copy / event), suggests, or keeps apart."""
    out: dict[str, dict] = {}
    misses: list[str] = []
    got_all = indexed_verdicts(pairs, background, settings) if background is not None else None
    for n, p in enumerate(pairs):
        got = got_all[n] if got_all is not None else stage_verdict(p["a"], p["b"], weights, settings)
        row = out.setdefault(p["label"], {"pairs": 0, "copy": 0, "same": 0, "maybe": 0, "different": 0})
        row["pairs"] += 1
        row[got] += 1
        if (p["label"] == "same") != (got in ("copy", "same")):
            misses.append(f"{p.get('id', '?')} {p['label']} → {got}")
    for label, row in out.items():
        joined = row["copy"] + row["same"]
        row["joined_auto"] = f"{joined}/{row['pairs']} ({joined / row['pairs']:.0%})"
        row["joined_or_suggested"] = f"{joined + row['maybe']}/{row['pairs']}"
        if label != "same":
            row["wrong_automatic_merges"] = joined  # copy test + event matching
            row["wrong_event_merges"] = row["same"]  # event matching alone (the copy test is older)
    return {"by_label": out, "not_as_labelled": misses[:30]}


def event_report(committed: list[dict], settings: QueueSettings) -> dict:
    """Event matching on the committed set and, if ../shared is there, on the labelled VNTC pairs."""
    labelled = [
        {"id": p["id"], "label": "same" if p["same"] else "different", "a": p["a"], "b": p["b"]}
        for p in committed
    ]
    report: dict[str, dict] = {}
    if not VNTC_TRAIN.exists():
        weights = events.idf(_view(d) for p in committed for d in (p["a"], p["b"]))
        report["committed_set"] = score_events(labelled, weights, settings)
        return report
    rows = [json.loads(line) for line in EVENT_PAIRS.read_text(encoding="utf-8").splitlines() if line]
    docs, background = _vntc_docs({r[k] for r in rows for k in ("a", "b")}, BACKGROUND)
    real = [
        {"id": f"{r['a']} ~ {r['b']}", "label": r["label"], "a": docs[r["a"]], "b": docs[r["b"]]}
        for r in rows
    ]
    base = [_view(d) for d in background]
    for name, pairs in (("committed_set", labelled), ("vntc_labelled", real)):
        weights = events.idf(base + [_view(d) for p in pairs for d in (p["a"], p["b"])])
        report[name] = score_events(pairs, weights, settings)
        # the same pairs through the stage's candidate search (EventIndex), as the stage meets them
        report[name + "_through_index"] = score_events(pairs, weights, settings, background)
    # round 2: labelled after the thresholds were set (nothing tuned on them since)
    later = [p for p, r in zip(real, rows) if r.get("round") == 2]
    weights = events.idf(base + [_view(d) for p in later for d in (p["a"], p["b"])])
    report["vntc_round2_through_index"] = score_events(later, weights, settings, background)
    return report


def main() -> None:
    """Print precision/recall as JSON."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vntc", type=int, default=0, help="derive pairs from this many VNTC documents")
    ap.add_argument("--similarity", type=float, default=None)
    ap.add_argument("--containment", type=float, default=None)
    ap.add_argument("--shingle-words", type=int, default=None)
    ap.add_argument("--events", action="store_true", help="event matching on the labelled pairs")
    ap.add_argument("--event-join", type=float, default=None)
    ap.add_argument("--event-suggest", type=float, default=None)
    args = ap.parse_args()
    settings = QueueSettings()
    if args.similarity is not None:
        settings = replace(settings, similarity=args.similarity)
    if args.containment is not None:
        settings = replace(settings, containment=args.containment)
    if args.shingle_words is not None:
        settings = replace(settings, shingle_words=args.shingle_words)
    if args.event_join is not None:
        settings = replace(settings, event_join=args.event_join)
    if args.event_suggest is not None:
        settings = replace(settings, event_suggest=args.event_suggest)
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = {"committed_set": score(pairs, settings)}
    if args.vntc and VNTC.exists():
        report["vntc_derived"] = score(vntc_pairs(args.vntc), settings)
    if VNTC.exists():
        report["vntc_real"] = score(vntc_real_pairs(), settings)
    if args.events:
        report["events"] = event_report(pairs, settings)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
