"""Figures of the shipped (or given) models on the held-out dev set: per-class P/R/F1, macro-F1, flags.

python bench/eval_analysis.py                      # monitor/models on tests/data/analysis_dev.jsonl
python bench/eval_analysis.py --models DIR --data FILE [--by-source]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.nlp.analysis import Analyzer  # noqa: E402
from monitor.nlp.train import EvalReport, LabelledExample, TaskReport, evaluate  # noqa: E402

DEV = ROOT / "tests" / "data" / "analysis_dev.jsonl"


def load_dev(path: Path = DEV) -> tuple[list[LabelledExample], list[bool]]:
    """Dev examples and their 'mentions' flags."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    exs = [LabelledExample(r["text"], r.get("topic"), r.get("tone"), r.get("source", "")) for r in rows]
    return exs, [bool(r.get("mentions")) for r in rows]


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--by-source", action="store_true", help="also report hand-written vs VNTC-test items")
    args = ap.parse_args()
    analyzer = Analyzer.load(args.models)
    exs, mentions = load_dev(args.data)
    print(f"model {analyzer.version} on {args.data.name} ({len(exs)} items)\n")
    print(format_report(evaluate(analyzer, exs, mentions)))
    if args.by_source:
        for name in ("handwritten", "vntc-test"):
            idx = [i for i, e in enumerate(exs) if e.source.split(":")[0] == name]
            rep = evaluate(analyzer, [exs[i] for i in idx], [mentions[i] for i in idx])
            print(f"\n=== {name} ({len(idx)} items) ===\n{format_report(rep)}")


if __name__ == "__main__":
    main()
