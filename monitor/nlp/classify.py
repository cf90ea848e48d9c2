"""Topic and tone classifiers: underthesea_core TextClassifier (TF-IDF + linear SVM, Rust) on syllable n-grams.

No word segmentation: the model reads syllable uni/bi-grams of normalised text, which is ~100x cheaper
than underthesea's word_tokenize and loses little for topic/tone. Reasons are computed by occlusion
(remove a term, re-score, keep the terms whose removal costs the predicted label the most) because the
Rust model does not expose its weights; this only runs for articles that need a reason.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.nlp import lexicon
from monitor.nlp.lexicon import clean, norm

if TYPE_CHECKING:
    import underthesea_core

BODY_CAP = 2000  # ~17 us/char on the slow paths; the lead carries topic and tone anyway
# (title repeats, body chars) each model reads: the title states the subject, and tone is set by the
# headline and lead, so the tone model reads a shorter, title-heavier view.
TOPIC_VIEW = (2, BODY_CAP)
TONE_VIEW = (3, 600)
EXPLAIN_CHARS = 400  # candidate reason terms come from the title and lead only
MAX_PHRASES, MAX_SINGLES = 24, 16
STOP = frozenset(
    [
        "và",
        "của",
        "là",
        "có",
        "cho",
        "các",
        "một",
        "những",
        "được",
        "đã",
        "với",
        "trong",
        "này",
        "khi",
        "tại",
        "đến",
        "từ",
        "người",
        "không",
        "để",
        "theo",
        "ra",
        "về",
        "vào",
        "sau",
        "trên",
        "còn",
        "như",
        "thì",
        "lại",
        "đó",
        "nhiều",
        "hơn",
        "cũng",
        "làm",
        "năm",
        "ngày",
        "tháng",
        "ông",
        "bà",
        "anh",
        "chị",
        "em",
        "đang",
        "sẽ",
        "rằng",
        "vừa",
        "bị",
        "do",
        "nên",
        "mà",
        "nhưng",
        "hay",
        "hoặc",
        "nhất",
        "rất",
        "lúc",
        "giờ",
        "đây",
        "kia",
        "ấy",
        "nơi",
        "đi",
        "lên",
        "xuống",
        "qua",
        "tới",
        "họ",
        "chúng",
        "tôi",
        "mình",
    ]
)


def split_title(text: str) -> tuple[str, str]:
    """A training text is 'title\\nbody'; a text without a newline is all title."""
    head, _, body = text.partition("\n")
    return head, body


def model_views(title: str, body: str, *, cleaned: bool = False) -> tuple[str, str]:
    """The exact strings the topic and tone models see: normalised, capped, title repeated."""
    if not cleaned:
        title, body = clean(title[:500]), clean(body[: BODY_CAP * 2])
    nt, nb = norm(title[:500]), norm(body[:BODY_CAP])  # normalise once, cut views from it
    return nt * TOPIC_VIEW[0] + nb[: TOPIC_VIEW[1]], nt * TONE_VIEW[0] + nb[: TONE_VIEW[1]]


def model_text(title: str, body: str, view: tuple[int, int] = TOPIC_VIEW) -> str:
    """One model's view of a raw (title, body) pair."""
    topic, tone = model_views(title, body)
    return tone if view == TONE_VIEW else topic


class LinearTextModel:
    """A trained TextClassifier plus batch prediction and occlusion reasons."""

    def __init__(self, clf: underthesea_core.TextClassifier) -> None:
        self._clf = clf
        self.classes: tuple[str, ...] = tuple(clf.classes)

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[str], *, max_features: int = 20000, c: float = 0.5
    ) -> LinearTextModel:
        """Train on model_text strings (already normalised)."""
        import underthesea_core  # imported on use: importing monitor must not load native libraries

        # No TextPreprocessor: its negation marking did not change dev figures and cost ~40 % throughput.
        clf = underthesea_core.TextClassifier(
            max_features=max_features, ngram_range=(1, 2), min_df=2, max_df=0.9, c=c, max_iter=1000, tol=0.1
        )
        clf.fit(list(texts), list(labels))
        return cls(clf)

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        """Load a model saved by save()."""
        import underthesea_core

        return cls(underthesea_core.TextClassifier.load(str(path)))

    def save(self, path: Path) -> None:
        """Write the binary model file."""
        self._clf.save(str(path))

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, score) per normalised text; the Rust side parallelises the batch."""
        if not texts:
            return []
        return [(lab, float(s)) for lab, s in self._clf.predict_with_scores(list(texts))]

    def explain(self, text: str, label: str, k: int = 3) -> list[str]:
        """Terms of the title/lead whose removal most lowers the score of `label` (occlusion)."""
        base = self._clf.predict_with_scores([text])[0]
        base_score = float(base[1]) if base[0] == label else 0.0
        cands = _candidates(text[:EXPLAIN_CHARS])
        if not cands:
            return []
        variants = [text.replace(f" {c} ", " ") for c in cands]
        drops = []
        for cand, (lab, s) in zip(cands, self._clf.predict_with_scores(variants)):
            new = float(s) if lab == label else 0.0
            drops.append((base_score - new, cand))
        drops.sort(key=lambda d: -d[0])
        phrases = {c: d for d, c in drops if " " in c and d > 0}
        chosen: list[str] = []
        for drop, cand in drops:
            if drop <= 0 or len(chosen) >= k:
                break
            if " " not in cand:  # a syllable reads better inside its word: "cáo" -> "tố cáo"
                wider = [p for p in phrases if cand in p.split()]
                cand = max(wider, key=lambda p: phrases[p]) if wider else cand
            if any(cand in c or c in cand for c in chosen):
                continue  # "ma" next to "ma túy" says nothing new
            chosen.append(cand)
        return chosen


def _candidates(text: str) -> list[str]:
    """Readable reason terms of a normalised text: lexicon cues, dictionary words, content syllables.

    Capped (each candidate costs one prediction per model); the title comes first in the text, so the
    caps keep the terms of the title and lead.
    """
    words, names = _dictionary()
    syl = [s for s in text.split() if not s.isdigit()]
    named: set[str] = set()  # syllables of proper names (places, people) say where, not why
    phrases: dict[str, None] = {}
    for i in range(len(syl) - 1):
        bi = f"{syl[i]} {syl[i + 1]}"
        if bi in names:
            named.update((syl[i], syl[i + 1]))
        elif bi in words or not words:
            phrases.setdefault(bi, None)
    singles = dict.fromkeys(s for s in syl if s not in STOP and s not in named and len(s) > 1)
    cues = lexicon.find_cues(text, _ALL_CUES)
    return list(dict.fromkeys([*cues, *list(phrases)[:MAX_PHRASES], *list(singles)[:MAX_SINGLES]]))


_ALL_CUES = tuple(
    dict.fromkeys(c for group in (*lexicon.TOPIC_CUES.values(), *lexicon.TONE_CUES.values()) for c in group)
)


@functools.lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """Two-syllable words and proper names from underthesea's Viet74K list (empty if absent)."""
    spec = importlib.util.find_spec("underthesea")
    path = Path(spec.origin).parent / "corpus" / "data" / "Viet74K.txt" if spec and spec.origin else None
    if path is None or not path.exists():
        return frozenset(), frozenset()
    words: set[str] = set()
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        w = unicodedata.normalize("NFC", line.strip())
        if w.count(" ") == 1:
            (names if w[:1].isupper() else words).add(w.lower())
    return frozenset(words - names), frozenset(names)


_WARM_LOCK = threading.Lock()


def warm(models: Sequence[LinearTextModel]) -> None:
    """Run one prediction per model under a lock so lazy native state exists before any concurrency."""
    with _WARM_LOCK:
        for m in models:
            m.predict_many([model_text("Công an tỉnh Kon Tum", "bắt giữ đối tượng")])
