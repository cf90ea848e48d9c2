"""Topic and tone classifiers: underthesea_core TextClassifier (TF-IDF + linear SVM, Rust) on syllable n-grams.

No word segmentation: the model reads syllable uni/bi-grams of normalised text, which is ~100x cheaper
than underthesea's word_tokenize and loses little for topic/tone. Reasons are computed by occlusion
(remove a term, re-score, keep the terms whose removal costs the predicted label the most) because the
Rust model does not expose its weights; this only runs for articles that need a reason.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import underthesea_core

from monitor.nlp.lexicon import clean, norm

TITLE_REPEAT = 2  # the title states the subject: count its n-grams twice
BODY_CAP = 2000  # ~17 us/char on the slow paths; the lead carries topic and tone anyway
EXPLAIN_CHARS = 500  # candidate reason terms come from the title and lead only
STOP = frozenset(
    "và của là có cho các một những được đã với trong này khi tại đến từ người không để theo ra về vào sau "
    "trên còn như thì lại đó nhiều hơn cũng làm năm ngày tháng ông bà anh chị em đang sẽ rằng vừa bị do "
    "nên mà nhưng hay hoặc nhất rất lúc giờ đây kia ấy nơi đi lên xuống qua tới họ chúng tôi mình".split()
)


def split_title(text: str) -> tuple[str, str]:
    """A training text is 'title\\nbody'; a text without a newline is all title."""
    head, _, body = text.partition("\n")
    return head, body


def model_text(title: str, body: str) -> str:
    """The exact string the models see: cleaned, capped, normalised, title weighted."""
    title = clean(title[:500])
    body = clean(body[: BODY_CAP * 2])[:BODY_CAP]
    return norm(" ".join([title] * TITLE_REPEAT + [body]))


class LinearTextModel:
    """A trained TextClassifier plus batch prediction and occlusion reasons."""

    def __init__(self, clf: underthesea_core.TextClassifier) -> None:
        self._clf = clf
        self.classes: tuple[str, ...] = tuple(clf.classes)

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], *, max_features: int = 40000,
            c: float = 0.5) -> LinearTextModel:
        """Train on model_text strings (already normalised)."""
        clf = underthesea_core.TextClassifier(max_features=max_features, ngram_range=(1, 2), min_df=2,
                                              max_df=0.9, c=c, max_iter=1000, tol=0.1)
        clf.fit(list(texts), list(labels))
        return cls(clf)

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        """Load a model saved by save()."""
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
        chosen: list[str] = []
        for drop, cand in drops:
            if drop <= 0 or len(chosen) >= k:
                break
            if any(cand in c or c in cand for c in chosen):
                continue  # "ma" next to "ma túy" says nothing new
            chosen.append(cand)
        return chosen


def _candidates(text: str) -> list[str]:
    """Distinct syllable bigrams and content unigrams of a normalised text, in order of appearance."""
    syl = [s for s in text.split() if not s.isdigit()]
    seen: dict[str, None] = {}
    for i, s in enumerate(syl):
        if s not in STOP and len(s) > 1:
            seen.setdefault(s, None)
        if i + 1 < len(syl) and not (s in STOP and syl[i + 1] in STOP):
            seen.setdefault(f"{s} {syl[i + 1]}", None)
    return list(seen)[:120]


_WARM_LOCK = threading.Lock()


def warm(models: Sequence[LinearTextModel]) -> None:
    """Run one prediction per model under a lock so lazy native state exists before any concurrency."""
    with _WARM_LOCK:
        for m in models:
            m.predict_many([model_text("Công an tỉnh Kon Tum", "bắt giữ đối tượng")])
