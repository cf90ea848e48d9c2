"""Figures of the shipped (or given) models on the held-out dev set: per-class P/R/F1, macro-F1, flags.

python bench/eval_analysis.py                      # monitor/models on the whole dev set
python bench/eval_analysis.py --models DIR --data FILE [--by-source]

The dev set is tests/data/analysis_dev.jsonl (texts inline) plus tests/data/analysis_dev_blind.jsonl,
analysis_dev_blind2.jsonl and analysis_dev_blind3.jsonl (real VNTC press, ids and labels only, texts joined from ../shared/data at run time).
Each blind split is always printed on its own too, with a confusion table of tone on the items whose gold says
the unit takes part.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.nlp.analysis import Analyzer  # noqa: E402
from monitor.nlp.train import (  # noqa: E402
    DevItem,
    EvalReport,
    LabelledExample,
    TaskReport,
    evaluate,
    read_dev,
)

DEV = ROOT / "tests" / "data" / "analysis_dev.jsonl"
BLIND = ROOT / "tests" / "data" / "analysis_dev_blind.jsonl"
BLIND2 = ROOT / "tests" / "data" / "analysis_dev_blind2.jsonl"
BLIND3 = ROOT / "tests" / "data" / "analysis_dev_blind3.jsonl"
DEFAULT = (DEV, BLIND, BLIND2, BLIND3)
# The real-press splits, each labelled before the tuning that followed it (see docs/MODELS.md).
BLIND_SPLITS = {
    "blind1": "blind1 (real press, labelled before the issue-11 tuning)",
    "blind2": "blind2 (real press, labelled before the second round of tuning)",
    "blind3": "blind3 (real press, labelled before the third round of tuning)",
}


def load_items(paths: tuple[Path, ...] = DEFAULT) -> list[DevItem]:
    """Every dev item of the given files (blind rows are joined to ../shared; absent texts are left out)."""
    return [item for p in paths if p.is_file() for item in read_dev(p)]


def load_dev(paths: tuple[Path, ...] = DEFAULT) -> tuple[list[LabelledExample], list[bool]]:
    """Dev examples and their 'mentions' flags."""
    items = load_items(paths)
    return [i.example for i in items], [bool(i.mentions) for i in items]


def format_task(name: str, rep: TaskReport) -> str:
    """Plain-text table of one task."""
    lines = [
        f"{name}: macro-F1 {rep.macro_f1:.3f}  accuracy {rep.accuracy:.3f}  n={rep.n}",
        f"  {'class':<20} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}",
    ]
    lines += [
        f"  {c.label:<20} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.support:5d}"
        for c in rep.per_class
    ]
    return "\n".join(lines)


def format_report(rep: EvalReport) -> str:
    """Plain-text report of topic, tone and flag figures."""
    parts = [format_task("topic", rep.topic)] if rep.topic else []
    parts += [format_task("tone", rep.tone)] if rep.tone else []
    if rep.flag:
        f = rep.flag
        parts.append(
            f"flag (mention ∧ tieu_cuc): precision {f['precision']:.3f}  recall {f['recall']:.3f}  "
            f"flagged {int(f['flagged'])} / should {int(f['should_flag'])}"
        )
    return "\n\n".join(parts)


def format_unit_tone(analyzer: Analyzer, items: list[DevItem]) -> str:
    """Confusion table of tone (gold rows, predicted columns) on items whose gold says the unit takes part."""
    unit = [i for i in items if i.unit and i.example.tone]
    if not unit:
        return "tone on items that mention the unit: none"
    res = evaluate(analyzer, [i.example for i in unit]).tone
    assert res is not None
    labels = res.labels
    head = "  gold \\ pred        " + " ".join(f"{p:>11}" for p in labels)
    lines = [f"tone on the {len(unit)} items that mention the unit: macro-F1 {res.macro_f1:.3f}", head]
    lines += [f"  {g:<19} " + " ".join(f"{res.confusion[g][p]:>11}" for p in labels) for g in labels]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--data", type=Path, action="append", help="dev file(s); default: dev + the blind splits")
    ap.add_argument("--by-source", action="store_true", help="also report hand-written vs VNTC-test items")
    ap.add_argument("--folded", action="store_true", help="also score every item written without diacritics")
    args = ap.parse_args()
    analyzer = Analyzer.load(args.models)
    paths = tuple(args.data) if args.data else DEFAULT
    items = load_items(paths)
    exs, mentions = [i.example for i in items], [bool(i.mentions) for i in items]
    print(f"model {analyzer.version} on {', '.join(p.name for p in paths)} ({len(exs)} items)\n")
    print(format_report(evaluate(analyzer, exs, mentions)))
    groups = [(title, [i for i in items if i.split == split]) for split, title in BLIND_SPLITS.items()]
    if args.by_source:
        groups += [
            (
                name,
                [i for i in items if i.example.source.split(":")[0] == name and i.split not in BLIND_SPLITS],
            )
            for name in ("handwritten", "vntc-test")
        ]
    for name, group in groups:
        if not group:
            continue
        rep = evaluate(analyzer, [i.example for i in group], [bool(i.mentions) for i in group])
        print(f"\n=== {name}: {len(group)} items ===\n{format_report(rep)}")
        if name in BLIND_SPLITS.values():
            print("\n" + format_unit_tone(analyzer, group))
    if args.folded:
        print("\n" + format_folded(analyzer, items))


def strip_marks(text: str) -> str:
    """The text as typed without diacritics (case kept): 'Công an Đắk Hà' -> 'Cong an Dak Ha'."""
    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in d if not unicodedata.combining(c)))


def format_folded(analyzer: Analyzer, items: list[DevItem]) -> str:
    """Macro-F1 of accented vs unaccented copies of the same items (goal: lose at most 0.03)."""
    lines = ["unaccented copies (same items, diacritics removed):"]
    for name, group in (("all", items), *((s, [i for i in items if i.split == s]) for s in BLIND_SPLITS)):
        if not group:
            continue
        exs = [i.example for i in group]
        plain = [LabelledExample(strip_marks(e.text), e.topic, e.tone, e.source) for e in exs]
        a, b = evaluate(analyzer, exs), evaluate(analyzer, plain)
        assert a.topic and a.tone and b.topic and b.tone
        lines.append(
            f"  {name:<7} topic {a.topic.macro_f1:.3f} -> {b.topic.macro_f1:.3f} "
            f"({b.topic.macro_f1 - a.topic.macro_f1:+.3f})   tone {a.tone.macro_f1:.3f} -> "
            f"{b.tone.macro_f1:.3f} ({b.tone.macro_f1 - a.tone.macro_f1:+.3f})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
