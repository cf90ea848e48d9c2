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
    """Inverse document frequencies over a corpus (smoothed, so unseen terms weigh most)."""

    def __init__(self, docs: int, df: Mapping[str, int]) -> None:
        self.docs = docs
        self.df = df
        self.unseen = math.log(1 + docs) + 1
        # every weight computed once: weighing a batch's window asks for each term thousands of times
        self.table = {t: math.log((1 + docs) / (1 + n)) + 1 for t, n in df.items()}

    def weight(self, term: str) -> float:
        """log((1 + n) / (1 + df)) + 1, as scikit-learn's smooth idf."""
        return self.table.get(term, self.unseen)


def idf(corpus: Iterable[EventText]) -> Idf:
    """Document frequencies of terms and names over a corpus of reports."""
    df: Counter[str] = Counter()
    n = 0
    for doc in corpus:
        n += 1
        df.update(doc.terms.keys())
        df.update(f"@{name}" for name in doc.names)
    return Idf(n, df)


@dataclass(frozen=True)
class Weighed:
    """A report as the decision compares it: its unit-length TF-IDF vector and its names."""

    vector: Mapping[str, float]
    names: frozenset[str]


def weigh(doc: EventText, weights: Idf) -> Weighed:
    """The report's TF-IDF vector (sublinear tf), normalised to length 1."""
    get, unseen, log = weights.table.get, weights.unseen, math.log
    vec = {t: (1 + log(c) if c > 1 else 1.0) * get(t, unseen) for t, c in doc.terms.items()}
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
    common = max(2.0, weights.docs * 0.05)  # a name in 5% of recent reports identifies no event
    return tuple(sorted(n for n in a.names & b.names if weights.df.get(f"@{n}", 0) <= common))


def judge(a: Weighed, b: Weighed, hours_apart: float, weights: Idf, settings: QueueSettings) -> EventMatch:
    """Same event (join), maybe (suggest) or different, for two weighed reports `hours_apart` apart."""
    if abs(hours_apart) > settings.event_window_hours:
        return EventMatch(Verdict.DIFFERENT, 0.0, ())
    score = dot(a, b)
    shared = specific_names(a, b, weights)
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


class EventIndex:
    """Reports of the recent archive by term, to find and judge the stories a new report may belong to.

    A stored report is weighed only when it comes near the top of a search (most of a window never does).
    """

    def __init__(self, weights: Idf, settings: QueueSettings, searched: Iterable[EventText] = ()) -> None:
        """`searched`: the reports that will be searched for, if known (only their terms are indexed)."""
        self.weights = weights
        self.settings = settings
        self._docs: list[tuple[int, datetime, EventText]] = []  # (story id, seen at, report)
        self._weighed: dict[int, Weighed] = {}
        self._postings: dict[str, list[int]] = {}
        common = max(10.0, weights.docs * COMMON_SHARE)
        # a term only one report has finds nothing; one in many reports is never a seed worth a walk
        self._vocabulary: set[str] | None = None
        if searched:
            terms = set().union(*(d.terms.keys() for d in searched))
            self._vocabulary = {t for t in terms if 1 < weights.df.get(t, 0) <= common}
        self._common = common

    def add(self, story_id: int, seen_at: datetime, doc: EventText, weighed: Weighed | None = None) -> None:
        """Index a report of `story_id` (with its weighed form if the caller has it already)."""
        i = len(self._docs)
        self._docs.append((story_id, seen_at, doc))
        if weighed is not None:
            self._weighed[i] = weighed
        postings = self._postings
        if self._vocabulary is not None:
            for term in doc.terms.keys() & self._vocabulary:
                postings.setdefault(term, []).append(i)
            return
        df = self.weights.df
        for term in doc.terms:
            if 1 < df.get(term, 0) <= self._common:
                postings.setdefault(term, []).append(i)

    def _weigh(self, i: int) -> Weighed:
        found = self._weighed.get(i)
        if found is None:
            found = self._weighed[i] = weigh(self._docs[i][2], self.weights)
        return found

    def matches(self, doc: Weighed, seen_at: datetime) -> list[StoryMatch]:
        """Stories that tell the same event or maybe do, best first (same before maybe, then cosine)."""
        seeds = sorted(doc.vector.items(), key=lambda tw: -tw[1])[:SEED_TERMS]
        k = self.settings.event_max_candidates
        # rough: the seeds' weight times the stored report's term count, not yet normalised by its length
        rough: dict[int, float] = {}
        for term, w in seeds:
            for i in self._postings.get(term, ()):
                rough[i] = rough.get(i, 0.0) + w * self._docs[i][2].terms[term]
        near = sorted(rough, key=lambda i: (-rough[i], -i))[: 3 * k]
        exact = {i: sum(w * self._weigh(i).vector.get(t, 0.0) for t, w in seeds) for i in near}
        best: dict[int, EventMatch] = {}
        for i in sorted(exact, key=lambda i: (-exact[i], -i))[:k]:
            story_id, seen, _ = self._docs[i]
            hours = (seen_at - seen).total_seconds() / 3600
            m = judge(doc, self._weigh(i), hours, self.weights, self.settings)
            if m.verdict is not Verdict.DIFFERENT and _better(m, best.get(story_id)):
                best[story_id] = m
        rank = {Verdict.SAME: 0, Verdict.MAYBE: 1}
        ordered = sorted(best.items(), key=lambda sm: (rank[sm[1].verdict], -sm[1].cosine, sm[0]))
        return [StoryMatch(s, m) for s, m in ordered]


def _better(m: EventMatch, old: EventMatch | None) -> bool:
    if old is None:
        return True
    return (m.verdict is Verdict.SAME, m.cosine) > (old.verdict is Verdict.SAME, old.cosine)
