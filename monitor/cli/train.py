"""`monitor train` and `monitor evaluate`: retrain the topic/tone models and measure them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from monitor.app import App
from monitor.errors import AnalysisError
from monitor.nlp.train import DevItem, EvalReport, LabelledExample, TaskReport
from monitor.vocab import TONE_LABELS, TOPIC_LABELS

DEFAULT_OUT = Path("models")


def _read(path: Path) -> list[LabelledExample]:
    from monitor.nlp.train import read_jsonl

    if not path.is_file():
        raise AnalysisError(f"Không tìm thấy tệp dữ liệu {path}", detail=f"train: no such file {path}")
    try:
        return read_jsonl(path)
    except (ValueError, KeyError) as exc:
        raise AnalysisError(
            f"Tệp {path} không đúng định dạng JSONL (text, topic, tone)", detail=str(exc)
        ) from exc


def _read_dev(path: Path) -> list[DevItem]:
    """Labelled rows with `text`, or with a VNTC `id` joined to ../shared (the blind split ships ids only)."""
    from monitor.nlp.train import read_dev

    if not path.is_file():
        raise AnalysisError(f"Không tìm thấy tệp dữ liệu {path}", detail=f"evaluate: no such file {path}")
    try:
        items = read_dev(path)
    except (ValueError, KeyError) as exc:
        raise AnalysisError(
            f"Tệp {path} không đúng định dạng JSONL (text hoặc id, topic, tone)", detail=str(exc)
        ) from exc
    if not items:
        raise AnalysisError(
            f"Tệp {path} không có mẫu nào đọc được (thiếu văn bản, hoặc thiếu ../shared/data cho các dòng id)",
            detail=f"evaluate: no usable rows in {path}",
        )
    return items


def train(
    ctx: typer.Context,
    data: Path = typer.Option(None, "--data", help="Tệp JSONL có các trường text, topic, tone."),
    out: Path = typer.Option(
        None,
        "--out",
        help="Thư mục ghi mô hình (mặc định: --models / MONITOR_MODELS_DIR, nếu không thì ./models).",
    ),
    version: str = typer.Option(None, "--version", help="Phiên bản mô hình (mặc định theo ngày giờ)."),
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Dùng cả bộ dữ liệu gốc (seed) của dự án."),
) -> None:
    """Huấn luyện lại mô hình chủ đề và sắc thái từ tệp dữ liệu, bộ seed và ý kiến xác minh trong CSDL."""
    from monitor.nlp.train import seed_examples, train_models

    app: App = ctx.obj
    out = out or app.settings.models_dir or DEFAULT_OUT
    examples: list[LabelledExample] = seed_examples() if seed else []
    if data is not None:
        examples += _read(data)
    examples += app.labelled_examples()  # collaborators' verdicts and corrections
    if not examples:
        raise AnalysisError("Không có dữ liệu huấn luyện", detail="train: no examples")
    with Console(stderr=True).status("Đang huấn luyện…"):
        manifest = train_models(examples, out, version=version)
    typer.echo(
        f"Đã huấn luyện phiên bản {manifest['version']} từ {manifest['n_examples']} mẫu, ghi vào {out}"
    )
    typer.echo(f"Để dùng mô hình mới: monitor --models {out} reanalyze (hoặc đặt MONITOR_MODELS_DIR={out}).")


def evaluate(
    file: Path = typer.Argument(..., help="Tệp JSONL có nhãn (text, topic, tone, mentions tùy chọn)."),
    models: Path = typer.Option(None, "--models", help="Thư mục mô hình (mặc định mô hình đi kèm)."),
) -> None:
    """Đánh giá mô hình trên tệp có nhãn: ma trận nhầm lẫn và độ chính xác/độ phủ/F1 từng lớp."""
    from monitor.nlp.analysis import Analyzer
    from monitor.nlp.train import evaluate as run_evaluate

    items = _read_dev(file)
    examples = [i.example for i in items]
    mentions = [bool(i.mentions) for i in items] if any(i.mentions is not None for i in items) else None
    analyzer = Analyzer.load(models)
    report = run_evaluate(analyzer, examples, mentions)
    print_report(report, analyzer.version, Console())


def format_confusion(rep: TaskReport, names: Mapping[str, str]) -> Table:
    """Rich table: gold classes in rows, predicted in columns (pure)."""
    table = Table(title="Ma trận nhầm lẫn (hàng: nhãn đúng, cột: dự đoán, đánh số như hàng)")
    table.add_column("Nhãn đúng")
    for i, _lab in enumerate(rep.labels, 1):
        table.add_column(str(i), justify="right")
    for i, gold in enumerate(rep.labels, 1):
        cells = [
            str(rep.confusion[gold][p]) if gold != p else f"[bold]{rep.confusion[gold][p]}[/]"
            for p in rep.labels
        ]
        table.add_row(f"{i}. {names.get(gold, gold)}", *cells)
    return table


def format_scores(rep: TaskReport, names: Mapping[str, str], title: str) -> Table:
    """Rich table of per-class precision/recall/F1 and macro-F1 (pure)."""
    table = Table(
        title=f"{title}: macro-F1 {rep.macro_f1:.3f}, độ chính xác tổng {rep.accuracy:.3f} ({rep.n} mẫu)"
    )
    for col in ("Lớp", "Precision", "Recall", "F1", "Số mẫu"):
        table.add_column(col, justify="left" if col == "Lớp" else "right")
    for c in rep.per_class:
        table.add_row(
            names.get(c.label, c.label),
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            str(c.support),
        )
    return table


def print_report(report: EvalReport, version: str, console: Console) -> None:
    """Render an EvalReport with rich."""
    console.print(f"Mô hình phiên bản [bold]{version}[/]")
    for rep, names, title in ((report.topic, TOPIC_LABELS, "Chủ đề"), (report.tone, TONE_LABELS, "Sắc thái")):
        if rep:
            console.print(format_scores(rep, names, title))
            console.print(format_confusion(rep, names))
    if report.flag:
        f = report.flag
        console.print(
            f"Gắn cờ (nhắc đến ∧ tiêu cực): precision {f['precision']:.3f}, recall {f['recall']:.3f} "
            f"({int(f['flagged'])} bài gắn cờ / {int(f['should_flag'])} bài cần gắn cờ)"
        )


def register(app: typer.Typer) -> None:
    """Add `train` and `evaluate` to the CLI."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
