"""Event matching: two outlets' own reports of one event, beyond near-duplicate copies.

Rewrites of one event by different newsrooms share only a fifth of their word bigrams, so MinHash
(`dedup`) keeps them apart. Here a pair of reports seen within `event_window_hours` of each other is
compared by TF-IDF cosine over content words (folded, stopwords out, title counted twice) and by the
specific proper names (places, people) both name. Pure: the stage passes the texts and the corpus whose
document frequencies weigh the words (the recent archive plus the batch); nothing here reads a database.

Why not underthesea's `ner`: ~12 ms per sentence (the stage places thousands of articles a second) and on
police reports it tags "ma túy Công an tỉnh Kon Tum" and people as places; capitalised syllable runs
find the same names for free, and the cosine carries the decision anyway.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from monitor.config_tables import QueueSettings
from monitor.queue.dedup import fold

LEAD_CHARS = 1500  # the event is told in the title and the first paragraphs; the rest drifts to background
TITLE_WEIGHT = 2

# Folded function words and the words every police/press report uses (they say nothing about which event).
_STOP_TEXT = """
    va cua la co cho cac mot nhung duoc da voi trong nay khi tai den tu nguoi khong de theo ra ve vao sau
    tren con nhu thi lai do nhieu hon cung lam nam ngay thang ong ba anh chi em dang se rang vua bi nen ma
    hay hoac nhat rat luc gio day kia ay noi di len xuong qua toi ho chung minh cho biet them moi nay sang
    chieu toi trua dem hom ngoai khoang gan hien thoi gian truoc tiep ngay phai viec cung nhau so nhu vay
    tren duoi giua o nhan thay cung bao the nao gi ai ca neu vi vien dong thu hai ba bon nam sau bay tam
    chin muoi tram nghin trieu ty cung luon chua van chi moi khac nua tung rieng chinh ban ngay hom
    cong an tinh huyen xa phuong thi tran thanh pho tp dong ong doi tuong co quan luc luong chuc nang dia
    phuong ban dau tiep tuc dieu tra xac minh lam ro xu ly theo quy dinh phap luat vu viec tren dia ban
    phong vien bao thong tin cho hay ket qua
    """
STOPWORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"\w+")
_SENTENCE_BREAK = re.compile(r"[.!?:;,()\"“”'‘’\-–—\n]")
# Capitalised words that start institutions and titles, not names ("Công an", "Phòng", "UBND", "TP").
_NOT_NAME_TEXT = """
    cong an phong canh sat co quan uy ban nhan dan ubnd tp tinh huyen xa phuong thi thanh pho doi toa
    vien kiem benh truong chu tich pho giam doc so bo ngay thang theo ong ba anh chi em sau truoc tai
    trong khi cac mot nhung nhieu dang vua trung ta thuong uy dai ca chi cuc hoi dong quan khu vuc
    """
_NOT_NAME = frozenset(_NOT_NAME_TEXT.split())


class Verdict(StrEnum):
    """What the matcher says about two reports."""

    SAME = "same"  # join automatically
    MAYBE = "maybe"  # suggest to the collaborator: "có thể cùng sự việc"
    DIFFERENT = "different"


@dataclass(frozen=True)
class EventText:
    """What the matcher keeps of a report: content-term counts and folded proper names."""

    terms: Mapping[str, int]
    names: frozenset[str]


@dataclass(frozen=True)
class EventMatch:
    """The verdict on a pair with its evidence (cosine, names both reports give)."""

    verdict: Verdict
    cosine: float
    shared_names: tuple[str, ...]


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    return fold(word)


def content_terms(title: str, text: str) -> Counter[str]:
    """Folded content words and adjacent-word pairs of the title (twice) and the lead."""
    out: Counter[str] = Counter()
    for part, weight in ((title, TITLE_WEIGHT), (text[:LEAD_CHARS], 1)):
        folded = map(_fold_word, _WORD.findall(unicodedata.normalize("NFC", part).casefold()))
        ws = [w for w in folded if w not in STOPWORDS and not w.isdigit()]
        for w in ws:
            out[w] += weight
        for a, b in pairwise(ws):
            out[f"{a} {b}"] += weight
    return out


def proper_names(title: str, text: str) -> frozenset[str]:
    """Folded runs of two or more capitalised syllables ("Đăk Hà", "Nguyễn Văn Hùng"), institutions out."""
    found: set[str] = set()
    body = unicodedata.normalize("NFC", f"{title}\n{text[:LEAD_CHARS]}")
    for chunk in _SENTENCE_BREAK.split(body):
        run: list[str] = []
        for w in [*_WORD.findall(chunk), ""]:
            # one capital letter is a name syllable ("Y Khoa", "A Thiết"); longer all-caps are acronyms
            if w[:1].isupper() and (len(w) == 1 or not w.isupper()):
                run.append(_fold_word(w))
                continue
            while run and run[0] in _NOT_NAME:
                run.pop(0)
            if len(run) >= 2:
                found.add(" ".join(run))
            run = []
    return frozenset(found)


def event_text(title: str, text: str) -> EventText:
    """The matcher's view of a report."""
    return EventText(content_terms(title, text), proper_names(title, text))


class Idf:
    """Inverse document frequencies over a corpus (smoothed, so unseen terms weigh most).

    `df` counts the corpus; `extra` (optional) counts more documents on top of it (a batch beside the
    window kept between batches) without copying either.
    """

    def __init__(self, docs: int, df: Mapping[str, int], extra: Mapping[str, int] | None = None) -> None:
        self.docs = docs
        self.df = df
        self.extra: Mapping[str, int] = extra or {}
        self.unseen = math.log(1 + docs) + 1  # the weight of a term no document has
        # each weight computed once, on first use: weighing a batch asks for each term thousands of times,
        # but of a window's whole vocabulary only the terms of the reports compared
        self.table = _Weights(self)

    def count(self, term: str) -> int:
        """How many documents of the corpus have `term`."""
        return self.df.get(term, 0) + self.extra.get(term, 0)

    def weight(self, term: str) -> float:
        """log((1 + n) / (1 + df)) + 1, as scikit-learn's smooth idf."""
        return self.table[term]


class _Weights(dict[str, float]):
    """term → idf weight, computed when first asked for."""

    def __init__(self, idf: Idf) -> None:
        super().__init__()
        self._idf = idf

    def __missing__(self, term: str) -> float:
        idf = self._idf
        w = self[term] = idf.unseen - math.log1p(idf.count(term))
        return w


def idf(corpus: Iterable[EventText], base: EventCorpus | None = None) -> Idf:
    """Document frequencies of terms and names over a corpus of reports (on top of `base`'s, if given)."""
    n, df = document_frequencies(corpus)
    if base is None:
        return Idf(n, df)
    return Idf(n + len(base), base.df, df)


def document_frequencies(corpus: Iterable[EventText]) -> tuple[int, Counter[str]]:
    """How many reports `corpus` has, and how many of them have each term and each name ("@name")."""
    df: Counter[str] = Counter()
    n = 0
    for doc in corpus:
        n += 1
        _count(df, doc, 1)
    return n, df


def _count(df: Counter[str], doc: EventText, sign: int) -> None:
    """Add (sign 1) or take away (-1) what a report counts for: its terms and its names ("@name")."""
    names = [f"@{name}" for name in doc.names]
    if sign > 0:
        df.update(doc.terms.keys())
        df.update(names)
        return
    df.subtract(doc.terms.keys())
    df.subtract(names)
    for key in [*doc.terms.keys(), *names]:
        if df[key] <= 0:
            del df[key]


@dataclass(frozen=True)
class Weighed:
    """A report as the decision compares it: its unit-length TF-IDF vector and its names."""

    vector: Mapping[str, float]
    names: frozenset[str]


def weigh(doc: EventText, weights: Idf) -> Weighed:
    """The report's TF-IDF vector (sublinear tf), normalised to length 1."""
    table, log = weights.table, math.log
    vec = {t: (1 + log(c) if c > 1 else 1.0) * table[t] for t, c in doc.terms.items()}
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return Weighed({t: w / norm for t, w in vec.items()}, doc.names)


def dot(a: Weighed, b: Weighed) -> float:
    """Cosine of two weighed reports."""
    small, large = (a.vector, b.vector) if len(a.vector) <= len(b.vector) else (b.vector, a.vector)
    return sum(w * large[t] for t, w in small.items() if t in large)


def cosine(a: EventText, b: EventText, weights: Idf) -> float:
    """TF-IDF cosine of two reports' content terms."""
    return dot(weigh(a, weights), weigh(b, weights))


def specific_names(a: Weighed, b: Weighed, weights: Idf) -> tuple[str, ...]:
    """Names both reports give that are rare in the corpus (not the province every report names)."""
    return _specific(a.names, b.names, weights)


def _specific(a: frozenset[str], b: frozenset[str], weights: Idf) -> tuple[str, ...]:
    common = max(2.0, weights.docs * 0.05)  # a name in 5% of recent reports identifies no event
    return tuple(sorted(n for n in a & b if weights.count(f"@{n}") <= common))


def judge(a: Weighed, b: Weighed, hours_apart: float, weights: Idf, settings: QueueSettings) -> EventMatch:
    """Same event (join), maybe (suggest) or different, for two weighed reports `hours_apart` apart."""
    if abs(hours_apart) > settings.event_window_hours:
        return EventMatch(Verdict.DIFFERENT, 0.0, ())
    return _verdict(dot(a, b), specific_names(a, b, weights), settings)


def _verdict(score: float, shared: tuple[str, ...], settings: QueueSettings) -> EventMatch:
    """The verdict on a pair from its cosine and the specific names both give."""
    if score >= settings.event_join and len(shared) >= settings.event_join_names:
        verdict = Verdict.SAME
    elif score >= settings.event_suggest:
        verdict = Verdict.MAYBE
    else:
        verdict = Verdict.DIFFERENT
    return EventMatch(verdict, round(score, 4), shared)


def decide(
    a: EventText, b: EventText, hours_apart: float, weights: Idf, settings: QueueSettings
) -> EventMatch:
    """`judge` for two reports not yet weighed."""
    return judge(weigh(a, weights), weigh(b, weights), hours_apart, weights, settings)


SEED_TERMS = 20  # a report's highest-weighted terms find its candidates (rare terms: short postings)
COMMON_SHARE = 0.05  # terms in more than this share of the window's reports are not indexed


@dataclass(frozen=True)
class StoryMatch:
    """The best match of a report with one story."""

    story_id: int
    match: EventMatch


class EventCorpus:
    """The stored reports of the recent window, kept between batches (the archive stays the truth).

    Each batch tells it which reports the window holds now (`sync`: article, story, seen at); it keeps
    their texts, their document frequencies and a posting list of every term, so a batch only reads and
    counts the reports that are new to it, instead of the whole window every time. A report is known by
    (article id, seen at): a reused id with another time is another report.
    """

    def __init__(self) -> None:
        self.texts: dict[tuple[int, datetime], EventText] = {}
        self.df: Counter[str] = Counter()
        # term → reports that have it (may still list reports dropped since: check `texts`)
        self.postings: dict[str, list[tuple[int, datetime]]] = {}
        self.story: dict[tuple[int, datetime], int] = {}  # the story each report is in now
        self._known: dict[tuple[int, datetime], EventText] = {}  # texts met before they were stored
        self._posted = 0  # entries in the posting lists
        self._stale = 0  # of them, entries of reports no longer held
        self._dropped: set[tuple[int, datetime]] = set()  # reports with such entries
        # Each report's terms as arrays (term ids, sublinear tf) and the terms' document frequencies by id:
        # a batch weighs the stored reports it meets with a few array operations, not term by term.
        self.vocabulary: dict[str, int] = {}
        self.rows: dict[tuple[int, datetime], tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = {}
        self._df_by_id: npt.NDArray[np.float64] = np.zeros(1024)

    def __len__(self) -> int:
        return len(self.texts)

    def missing(self, window: Iterable[tuple[int, int, datetime]]) -> list[int]:
        """Articles of the window whose texts this corpus does not have (to read from the archive)."""
        return [a for a, _, at in window if (a, at) not in self.texts and (a, at) not in self._known]

    def remember(self, article_id: int, seen_at: datetime, text: EventText) -> None:
        """A report about to be stored: the next `sync` takes its text from here, not the archive."""
        self._known[(article_id, seen_at)] = text

    def sync(self, window: Iterable[tuple[int, int, datetime]], read: Mapping[int, EventText]) -> None:
        """Hold exactly the window's reports; `read`: texts of the `missing` ones, by article id."""
        story = {(a, at): s for a, s, at in window}
        for key in [k for k in self.texts if k not in story]:
            self._drop(key)
        for key in story.keys() - self.texts.keys():
            text = self._known.get(key) or read.get(key[0])
            if text is not None:  # a report whose terms went missing is left out, as the archive has it
                self._put(key, text)
        self._known.clear()
        self.story = {k: s for k, s in story.items() if k in self.texts}

    def _put(self, key: tuple[int, datetime], text: EventText) -> None:
        self.texts[key] = text
        _count(self.df, text, 1)
        if key in self._dropped:  # back in the window: its old posting entries are valid again
            self._dropped.discard(key)
            self._stale -= len(text.terms)
        else:
            self._post(key, text)
        self._row(key, text)

    def _row(self, key: tuple[int, datetime], text: EventText) -> None:
        vocabulary = self.vocabulary
        ids = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for t in text.terms),
            dtype=np.intp,
            count=len(text.terms),
        )
        if len(vocabulary) > len(self._df_by_id):
            grown = np.zeros(max(2 * len(self._df_by_id), len(vocabulary)))
            grown[: len(self._df_by_id)] = self._df_by_id
            self._df_by_id = grown
        self._df_by_id[ids] += 1  # a report's term ids are distinct
        tf = np.fromiter(text.terms.values(), dtype=np.float64, count=len(text.terms))
        self.rows[key] = (ids, np.where(tf > 1, 1 + np.log(np.maximum(tf, 1)), 1.0))

    def idf_by_id(self, weights: Idf) -> npt.NDArray[np.float64]:
        """`weights` for every term of the vocabulary, by term id (the same numbers as `Idf.weight`)."""
        df = self._df_by_id[: len(self.vocabulary)].copy()
        for term, n in weights.extra.items():
            i = self.vocabulary.get(term)
            if i is not None:
                df[i] += n
        return weights.unseen - np.log1p(df)

    def _post(self, key: tuple[int, datetime], text: EventText) -> None:
        self._posted += len(text.terms)
        postings = self.postings
        for term in text.terms:
            found = postings.get(term)
            if found is None:
                postings[term] = [key]
            else:
                found.append(key)

    def _drop(self, key: tuple[int, datetime]) -> None:
        text = self.texts.pop(key)
        ids, _ = self.rows.pop(key)
        self._df_by_id[ids] -= 1
        _count(self.df, text, -1)
        # postings keep the key until they are rebuilt (readers skip reports no longer held)
        self._dropped.add(key)
        self._stale += len(text.terms)
        if self._stale > self._posted // 2:
            self._reindex()

    def _reindex(self) -> None:
        """Posting lists and term ids of the held reports only."""
        self.postings = {}
        self._stale = self._posted = 0
        self._dropped.clear()
        self.vocabulary = {}
        self._df_by_id = np.zeros(1024)
        for key, text in self.texts.items():
            self._post(key, text)
            self._row(key, text)


_Key = tuple[int, datetime] | int  # a report of the base corpus, or one added to the index


class EventIndex:
    """Reports of the recent archive by term, to find and judge the stories a new report may belong to.

    A stored report is weighed only when it comes near the top of a search (most of a window never does).
    The stored reports come from a `base` corpus kept between batches, from `add`, or both.
    """

    def __init__(
        self,
        weights: Idf,
        settings: QueueSettings,
        searched: Iterable[EventText] = (),
        base: EventCorpus | None = None,
    ) -> None:
        """`searched`: the reports that will be searched for, if known (only their terms are indexed)."""
        self.weights = weights
        self.settings = settings
        self._base = base
        self._docs: dict[_Key, tuple[int, datetime, EventText]] = {}  # added: (story id, seen at, report)
        self._weighed: dict[_Key, Weighed] = {}
        self._postings: dict[str, list[_Key]] = {}
        common = max(10.0, weights.docs * COMMON_SHARE)
        # a term only one report has finds nothing; one in many reports is never a seed worth a walk
        self._vocabulary: set[str] | None = None
        if searched:
            terms = set().union(*(d.terms.keys() for d in searched))
            self._vocabulary = {t for t in terms if 1 < weights.count(t) <= common}
        self._common = common
        self._idf_by_id: npt.NDArray[np.float64] | None = None  # the base's terms weighed (on first use)
        self._unit: dict[tuple[int, datetime], npt.NDArray[np.float64]] = {}  # base report → unit vector

    def _base_vector(self, key: tuple[int, datetime]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """A base report's term ids and unit-length TF-IDF vector (what `weigh` gives, as arrays)."""
        assert self._base is not None
        ids, tf = self._base.rows[key]
        unit = self._unit.get(key)
        if unit is None:
            if self._idf_by_id is None:
                self._idf_by_id = self._base.idf_by_id(self.weights)
            vector = tf * self._idf_by_id[ids]
            unit = self._unit[key] = vector / (math.sqrt(float(vector @ vector)) or 1.0)
        return ids, unit

    def add(
        self,
        story_id: int,
        seen_at: datetime,
        doc: EventText,
        weighed: Weighed | None = None,
        *,
        key: int | None = None,
    ) -> None:
        """Index a report of `story_id` (with its weighed form if the caller has it already).

        `key`: the report's article id, if it has one (ties between equally near reports go to the higher).
        """
        k: _Key = key if key is not None else -1 - len(self._docs)
        self._docs[k] = (story_id, seen_at, doc)
        if weighed is not None:
            self._weighed[k] = weighed
        postings = self._postings
        if self._vocabulary is not None:
            for term in doc.terms.keys() & self._vocabulary:
                postings.setdefault(term, []).append(k)
            return
        count = self.weights.count
        for term in doc.terms:
            if 1 < count(term) <= self._common:
                postings.setdefault(term, []).append(k)

    def _doc(self, k: _Key) -> tuple[int, datetime, EventText]:
        if isinstance(k, tuple):
            assert self._base is not None
            return self._base.story[k], k[1], self._base.texts[k]
        return self._docs[k]

    def _weigh(self, k: _Key) -> Weighed:
        found = self._weighed.get(k)
        if found is None:
            found = self._weighed[k] = weigh(self._doc(k)[2], self.weights)
        return found

    def matches(self, doc: Weighed, seen_at: datetime) -> list[StoryMatch]:
        """Stories that tell the same event or maybe do, best first (same before maybe, then cosine)."""
        seeds = heapq.nlargest(SEED_TERMS, doc.vector.items(), key=itemgetter(1))
        k = self.settings.event_max_candidates
        count, common = self.weights.count, self._common
        base = self._base.postings if self._base is not None else {}
        held = self._base.texts if self._base is not None else {}
        # rough: the seeds' weight times the stored report's term count, not yet normalised by its length
        rough: dict[_Key, float] = {}
        for term, w in seeds:
            if not 1 < count(term) <= common:
                continue
            for stored in base.get(term, ()):
                if stored in held:
                    rough[stored] = rough.get(stored, 0.0) + w * held[stored].terms[term]
            for added in self._postings.get(term, ()):
                rough[added] = rough.get(added, 0.0) + w * self._docs[added][2].terms[term]
        near = sorted(rough, key=lambda i: (-rough[i], -_order(i)))[: 3 * k]
        # the searched report over the base's vocabulary: its seeds, and all its terms (for the cosine)
        vocabulary = self._base.vocabulary if self._base is not None else {}
        size = len(vocabulary)
        query, query_seeds = np.zeros(size), np.zeros(size)
        for term, w in doc.vector.items():
            tid = vocabulary.get(term)
            if tid is not None:
                query[tid] = w
        for term, w in seeds:
            tid = vocabulary.get(term)
            if tid is not None:
                query_seeds[tid] = w
        exact: dict[_Key, float] = {}
        for key in near:
            if isinstance(key, tuple):
                ids, unit = self._base_vector(key)
                exact[key] = float(query_seeds[ids] @ unit)
            else:
                vector = self._weigh(key).vector
                exact[key] = sum(w * vector.get(t, 0.0) for t, w in seeds)
        best: dict[int, EventMatch] = {}
        for key in sorted(exact, key=lambda i: (-exact[i], -_order(i)))[:k]:
            story_id, seen, text = self._doc(key)
            hours = (seen_at - seen).total_seconds() / 3600
            if abs(hours) > self.settings.event_window_hours:
                continue
            if isinstance(key, tuple):
                ids, unit = self._base_vector(key)
                m = _verdict(
                    float(query[ids] @ unit), _specific(doc.names, text.names, self.weights), self.settings
                )
            else:
                m = judge(doc, self._weigh(key), hours, self.weights, self.settings)
            if m.verdict is not Verdict.DIFFERENT and _better(m, best.get(story_id)):
                best[story_id] = m
        rank = {Verdict.SAME: 0, Verdict.MAYBE: 1}
        ordered = sorted(best.items(), key=lambda sm: (rank[sm[1].verdict], -sm[1].cosine, sm[0]))
        return [StoryMatch(s, m) for s, m in ordered]


def _order(key: _Key) -> int:
    """Tie-break between equally near reports: the later article first."""
    return key[0] if isinstance(key, tuple) else key


def _better(m: EventMatch, old: EventMatch | None) -> bool:
    if old is None:
        return True
    return (m.verdict is Verdict.SAME, m.cosine) > (old.verdict is Verdict.SAME, old.cosine)
