"""Bad input never crashes the analyzer: each document gets a recorded outcome and the batch goes on."""

from __future__ import annotations

import threading

import pytest

from monitor.nlp.analysis import Analysis, Analyzer
from monitor.nlp.guard import Budget, safe_call


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


class FakePanic(BaseException):
    """Stands in for pyo3's PanicException, which derives from BaseException."""


def _panic() -> None:
    raise FakePanic("called `Option::unwrap()` on a `None` value")


def test_safe_call_catches_base_exception() -> None:
    result, err = safe_call(_panic)
    assert result is None and err is not None and "FakePanic" in err


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_safe_call_lets_interrupts_through(exc: type[BaseException]) -> None:
    def boom() -> None:
        raise exc()

    with pytest.raises(exc):
        safe_call(boom)


def test_budget() -> None:
    assert not Budget(10).spent()
    assert Budget(-1).spent()


BAD = [
    ("", "", "Văn bản rỗng"),
    ("😀🎉🔥", "👍👍👍", "Văn bản rỗng"),
    ("   \t\n ", "\x00\x01\x02", "Văn bản rỗng"),
    (
        "Police arrest drug ring",
        "Police in the province said on Monday that they had arrested the men.",
        "Không phải tiếng Việt (en)",
    ),
    ("<p>&nbsp;</p>", "<div><script></script></div>", "Văn bản rỗng"),
]


@pytest.mark.parametrize(("title", "text", "skipped"), BAD)
def test_bad_input_is_skipped_with_reason(analyzer: Analyzer, title: str, text: str, skipped: str) -> None:
    a = analyzer.analyse(title, text)
    assert a.skipped == skipped
    assert a.topic is None and a.tone is None
    assert a.model_version == analyzer.version


ODD = [
    ("000 85 .", "000 85 ."),  # once crashed underthesea
    ("Đaị", "Đaị học"),  # misplaced tone mark, once crashed underthesea
    ("Công an \ud800 tỉnh", "Bắt giữ \udfff đối tượng trộm cắp"),  # lone surrogates
    ("Công an tỉnh Kon Tum", "bắt giữ đối tượng trộm cắp tài sản. " * 30_000),  # ~1 MB
    ("Công an\x00 tỉnh\x1b Kon Tum", "bắt\x07 giữ\u200b đối tượng\r\n\r\nma túy"),  # control characters
    ("<h1>Công an tỉnh Kon Tum</h1>", "<p>Bắt giữ&nbsp;đối tượng <b>ma túy</b> &amp; thu giữ heroin</p>"),
    (
        "Công an tỉnh Kon Tum bắt 2 đối tượng người Trung Quốc",
        "Hai đối tượng 张伟 và 李强 vận chuyển ma túy.",
    ),
    ("CÔNG AN TỈNH KON TUM BẮT GIỮ ĐỐI TƯỢNG", "VẬN CHUYỂN MA TÚY QUA BIÊN GIỚI"),
]


@pytest.mark.parametrize(("title", "text"), ODD)
def test_odd_input_is_analysed(analyzer: Analyzer, title: str, text: str) -> None:
    a = analyzer.analyse(title, text)
    assert isinstance(a, Analysis)
    if a.skipped is None:
        assert a.topic is not None and a.tone is not None
        assert 0.0 <= a.topic.score <= 1.0 and 0.0 <= a.tone.score <= 1.0
    else:
        assert a.skipped.startswith(("Văn bản rỗng", "Không phải tiếng Việt", "Lỗi phân tích"))


def test_look_alike_letters_are_folded(analyzer: Analyzer) -> None:
    """Clickbait spells Vietnamese with Cyrillic/small-capital look-alikes to dodge keyword filters."""
    a = analyzer.analyse(
        "Ƭһảᴍ á.п ở Bắᴄ Gɪɑпɡ: ᴄᴏп тгɑɪ һᴏảпɡ ѕợ тһấʏ Ƅố гửɑ ᴄᴏп Ԁɑᴏ", "ƌối тượпɡ ƌã Ƅỏ тгốп."
    )
    assert a.language == "vi" and a.skipped is None


def test_batch_goes_on_after_bad_items(analyzer: Analyzer) -> None:
    docs = [
        ("", ""),
        ("Police arrest", "The police said."),
        ("000 85 .", "Đaị"),
        ("Công an tỉnh Kon Tum triệt phá đường dây ma túy", "Thu giữ 5 bánh heroin."),
    ]
    out = analyzer.analyse_many(docs)
    assert len(out) == 4
    assert out[3].topic is not None and out[3].topic.label == "ma_tuy"


def test_panic_in_model_is_recorded(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer.topic_model, "predict_many", lambda texts: _panic())
    out = analyzer.analyse_many([("Công an tỉnh Kon Tum bắt giữ đối tượng", "Trộm cắp tài sản.")] * 2)
    assert all(a.skipped and a.skipped.startswith("Lỗi phân tích: FakePanic") for a in out)


def test_threads_after_load(analyzer: Analyzer) -> None:
    """Loaded and warmed once; then concurrent use gives the same answers as serial use."""
    docs = [("Cháy lớn tại chợ Kon Tum", "Nhiều ki-ốt bị thiêu rụi.")] * 8
    expected = [a.topic.label for a in analyzer.analyse_many(docs) if a.topic]
    results: list[list[str]] = []

    def work() -> None:
        results.append([a.topic.label for a in analyzer.analyse_many(docs) if a.topic])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8
