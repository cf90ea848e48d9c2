"""`monitor train` and `monitor evaluate`: retrain the topic/tone models and measure them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from monitor.app import App
from monitor.errors import AnalysisError
from monitor.nlp.train import DevItem, EvalReport, LabelledExample, TaskReport
from monitor.nlp.train_gate import MIN_PER_CLASS, Composition, Scores, composition, scores, too_small, worse
from monitor.timefmt import fmt_decimal
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


ORIGIN_NAMES = {
    "seed": "bộ seed viết tay",
    "vntc-weak": "VNTC (nhãn yếu)",
    "vntc-checked": "VNTC (đã kiểm)",
    "danes": "DANeS",
    "file": "tệp --data",
    "verdict": "kết luận xác minh",
    "correction": "hiệu chỉnh của cộng tác viên",
}
DEFAULT_DEV = Path(__file__).resolve().parents[2] / "tests" / "data" / "analysis_dev.jsonl"


def format_composition(comp: Composition, shared_found: bool) -> str:
    """What the training uses, in one or two sentences (pure)."""
    parts = ", ".join(f"{ORIGIN_NAMES.get(k, k)} {v}" for k, v in sorted(comp.by_origin.items()))
    line = f"Dữ liệu huấn luyện: {comp.total} mẫu ({parts or 'không có'})."
    if not shared_found:
        line += " Không thấy ../shared/data: không có dữ liệu VNTC/DANeS, mô hình sẽ yếu hơn mô hình đi kèm."
    return line


def _scores_line(name: str, sc: Scores) -> str:
    def f(v: float | None) -> str:
        return fmt_decimal(v, 3) if v is not None else "—"

    return f"{name}: chủ đề macro-F1 {f(sc.topic)}, sắc thái macro-F1 {f(sc.tone)}"


def _install(new_dir: Path, out: Path) -> None:
    """Move the trained files into `out` (each file replaced atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("topic.bin", "tone.bin", "manifest.json"):  # manifest last: it names the version
        os.replace(new_dir / name, out / name)
    shutil.rmtree(new_dir, ignore_errors=True)


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
    dev: Path = typer.Option(
        None, "--dev", help="Bộ đánh giá giữ riêng (JSONL); mặc định tests/data/analysis_dev.jsonl."
    ),
    force: bool = typer.Option(
        False, "--force", help="Vẫn huấn luyện/thay mô hình dù ít dữ liệu hoặc kém hơn mô hình hiện tại."
    ),
) -> None:
    """Huấn luyện lại mô hình chủ đề và sắc thái; chỉ thay mô hình hiện tại khi mô hình mới không kém hơn."""
    from monitor.nlp.analysis import Analyzer
    from monitor.nlp.train import SHARED_DIR, read_dev, seed_examples, train_models
    from monitor.nlp.train import evaluate as run_evaluate

    app: App = ctx.obj
    models_dir = app.settings.models_dir
    out = out or models_dir or DEFAULT_OUT
    examples: list[LabelledExample] = seed_examples() if seed else []
    if data is not None:
        examples += _read(data)
    examples += app.labelled_examples()  # collaborators' verdicts and corrections
    comp = composition(examples)
    say = Console(stderr=True)
    typer.echo(format_composition(comp, (SHARED_DIR / "vntc").is_dir()))
    if not examples:
        raise AnalysisError("Không có dữ liệu huấn luyện", detail="train: no examples")
    small = too_small(comp)
    if small and not force:
        raise AnalysisError(
            f"Quá ít dữ liệu: cần ít nhất {MIN_PER_CLASS} mẫu mỗi lớp, đang có {'; '.join(small)}. "
            "Thêm dữ liệu (--data, bộ seed, ../shared/data) hoặc dùng --force.",
            detail=f"train: classes below minimum {small}",
        )
    current = next((d for d in (out, models_dir) if d is not None and (d / "manifest.json").is_file()), None)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-moi-", dir=out.parent))
    try:
        with say.status("Đang huấn luyện…"):
            manifest = train_models(examples, staging, version=version)
        dev = dev or DEFAULT_DEV
        if dev.is_file():
            items = [i.example for i in read_dev(dev)]
            with say.status("Đang đánh giá trên bộ dữ liệu giữ riêng…"):
                old = scores(run_evaluate(Analyzer.load(current), items))
                new = scores(run_evaluate(Analyzer.load(staging), items))
            typer.echo(f"Đánh giá trên {dev} ({len(items)} mẫu):")
            typer.echo("  " + _scores_line(f"mô hình hiện tại ({current or 'đi kèm'})", old))
            typer.echo("  " + _scores_line(f"mô hình mới {manifest['version']}", new))
            lost = worse(old, new)
            if lost and not force:
                raise AnalysisError(
                    f"Mô hình mới kém hơn mô hình hiện tại ({'; '.join(lost)}): giữ nguyên mô hình hiện tại. "
                    "Dùng --force nếu vẫn muốn thay.",
                    detail=f"train: new models worse on {dev}: {lost}",
                )
        elif not force:
            raise AnalysisError(
                f"Không tìm thấy bộ đánh giá {dev}: không so được mô hình mới với mô hình hiện tại. "
                "Chỉ ra bằng --dev TỆP, hoặc dùng --force.",
                detail=f"train: no dev set at {dev}",
            )
        _install(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
        title=f"{title}: macro-F1 {fmt_decimal(rep.macro_f1, 3)}, độ chính xác tổng {fmt_decimal(rep.accuracy, 3)} "
        f"({rep.n} mẫu)"
    )
    for col in ("Lớp", "Precision", "Recall", "F1", "Số mẫu"):
        table.add_column(col, justify="left" if col == "Lớp" else "right")
    for c in rep.per_class:
        table.add_row(
            names.get(c.label, c.label),
            fmt_decimal(c.precision, 3),
            fmt_decimal(c.recall, 3),
            fmt_decimal(c.f1, 3),
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
            f"Gắn cờ (nhắc đến ∧ tiêu cực): precision {fmt_decimal(f['precision'], 3)}, recall {fmt_decimal(f['recall'], 3)} "
            f"({int(f['flagged'])} bài gắn cờ / {int(f['should_flag'])} bài cần gắn cờ)"
        )


def register(app: typer.Typer) -> None:
    """Add `train` and `evaluate` to the CLI."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
