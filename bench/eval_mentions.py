"""Mention precision/recall per target kind on the hand-labelled dev set, and hits on VNTC national news.

python bench/eval_mentions.py                 # dev set: tune / holdout / all
python bench/eval_mentions.py --show tune     # list the errors of one split (never look at holdout while tuning)
# splits: tune (130 rows), holdout (70, written with tune, not looked at while tuning), holdout2 (40, written after
# tuning and scored once), holdout3 (51, landmarks with lower-case heads and their namesakes, written before
# the landmark-head change), generic (20, generic subordinate police and their traps, written after the
# generic tier by the same author: a regression set, not a blind estimate)
python bench/eval_mentions.py --vntc          # also scan the VNTC test sample (../shared) and score the
                                              # hits against the hand-checked verdicts below
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.nlp.match import build_matcher  # noqa: E402
from monitor.nlp.match_generic import GENERIC  # noqa: E402
from monitor.nlp.normalize import fold_ascii, fold_tone  # noqa: E402
from monitor.nlp.targets import default_targets  # noqa: E402

DEV = ROOT / "tests" / "data" / "mentions_dev.jsonl"
VNTC = ROOT.parent / "shared" / "data" / "vntc" / "vntc_test_sample.jsonl.gz"
SUB_PREFIXES = (
    "công an huyện",
    "công an thành phố",
    "công an thị xã",
    "công an xã",
    "công an phường",
    "công an thị trấn",
)
# VNTC test-sample hits checked by hand (doc_id, kind, alias) → is it really about our unit/province?
# Checked by hand on 2026-11-27: every hit below names Kon Tum or a place in it (all true).
VNTC_VERDICTS: dict[tuple[str, str, str], bool] = {
    ("Test_Full/Phap luat/PL_TT_T_ (3108).txt", "province", "Măng Đen"): True,
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (7316).txt", "province", "Kon Tum"): True,
    ("Test_Full/Chinh tri Xa hoi/XH_VNE_T_ (7316).txt", "province", "Đắk Glei"): True,
    ("Test_Full/Khoa hoc/KH_TT_T_ (1844).txt", "province", "Chư Mom Ray"): True,
    ("Test_Full/Khoa hoc/KH_TT_T_ (1844).txt", "province", "Kon Tum"): True,
    ("Test_Full/Khoa hoc/KH_VNE_T_ (1564).txt", "province", "Kon Plông"): True,
    ("Test_Full/Khoa hoc/KH_VNE_T_ (1564).txt", "province", "Kon Tum"): True,
    ("Test_Full/Kinh doanh/KD_VNE_T_ (455).txt", "province", "Kon Tum"): True,
    ("Test_Full/Kinh doanh/KD_VNE_T_ (629).txt", "province", "Kon Tum"): True,
    ("Test_Full/Phap luat/PL_NLD_T_ (3991).txt", "province", "Kon Tum"): True,
    ("Test_Full/Phap luat/PL_TT_T_ (3108).txt", "province", "Kon Tum"): True,
}


def key_of(kind: str, alias: str) -> str:
    """Comparison key: the place (tone-folded) for a province; for a unit the police body named."""
    a = " ".join(fold_tone(alias).split())
    if kind == "province":
        return a
    if alias == "generic" or GENERIC.fullmatch(fold_ascii(a)):
        return "generic"  # "trưởng công an xã", "cơ quan công an tỉnh": match_generic's tier
    if a.startswith(tuple(fold_tone(p) for p in SUB_PREFIXES)):
        return a
    if a.startswith(fold_tone("công an tỉnh quảng ngãi")):
        return "successor"
    return "main"


def score(rows, matcher, show: str | None) -> dict[str, dict[str, Counter]]:
    """Counts of tp/fp/fn per split and kind."""
    out: dict[str, dict[str, Counter]] = {}
    for row in rows:
        want = {(k, key_of(k, a)) for k, a in row["mentions"]}
        got = {(m.kind, key_of(m.kind, m.alias)) for m in matcher.find(row["text"])}
        for split in (row["split"], "all"):
            for kind in ("unit", "province"):
                c = out.setdefault(split, {}).setdefault(kind, Counter())
                w = {x for x in want if x[0] == kind}
                g = {x for x in got if x[0] == kind}
                c["tp"] += len(w & g)
                c["fp"] += len(g - w)
                c["fn"] += len(w - g)
        if show == row["split"] and want != got:
            print(
                f"#{row['id']}: {row['text'][:110]!r}\n   missing={sorted(want - got)} extra={sorted(got - want)}"
            )
    return out


def pr(c: Counter) -> str:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return f"P={p:.3f} R={r:.3f} (tp={c['tp']} fp={c['fp']} fn={c['fn']})"


def vntc(matcher) -> None:
    """Every hit on ~3,000 national news articles of 2005-07; verdicts above give the precision."""
    if not VNTC.exists():
        print("VNTC sample not found (../shared absent): skipped")
        return
    n = 0
    counts: Counter = Counter()
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            n += 1
            for m in matcher.find(doc["text"]):
                verdict = VNTC_VERDICTS.get((doc["doc_id"], m.kind, m.alias))
                counts[(m.kind, verdict)] += 1
                mark = {True: "ok ", False: "BAD", None: "?  "}[verdict]
                print(f"{mark} {m.kind:8} {m.level:5} {m.alias:28} {doc['doc_id']}: {m.snippet}")
    print(f"VNTC test sample: {n} articles")
    for kind in ("unit", "province"):
        ok, bad, unk = counts[(kind, True)], counts[(kind, False)], counts[(kind, None)]
        prec = ok / (ok + bad) if ok + bad else float("nan")
        print(
            f"  {kind:8} hits={ok + bad + unk} verified-true={ok} false={bad} unchecked={unk} precision={prec:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--show",
        choices=("tune", "holdout", "holdout2", "holdout3", "generic"),
        help="print the errors of this split",
    )
    ap.add_argument("--vntc", action="store_true", help="also scan the VNTC test sample")
    args = ap.parse_args()
    matcher = build_matcher(default_targets())
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    res = score(rows, matcher, args.show)
    for split in ("tune", "holdout", "holdout2", "holdout3", "generic", "all"):
        n = sum(1 for r in rows if split in (r["split"], "all"))
        for kind in ("unit", "province"):
            print(f"{split:8} n={n:3} {kind:8} {pr(res[split][kind])}")
    if args.vntc:
        vntc(matcher)


if __name__ == "__main__":
    main()
