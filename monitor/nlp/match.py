"""Find mentions of the watched unit and province in a text.

How a mention counts (the decisions, with the reasons, are in monitor/data/PLACES_PROVENANCE.md):
- One regex scan over an accent-free copy of the normalised text finds every candidate; each candidate then
  gets its level by comparing the span with the alias's spellings: exact (after NFC, entities, case,
  whitespace, old/new tone-mark placement) → tone (tone marks folded, ă/â/ê/ô/ơ/ư/đ kept) → ascii, which
  only counts where the surrounding text is itself written without diacritics.
- Places have a tier (from the derived list): bare (Kon Tum, Đăk Glei, Măng Đen), qualified (common words
  and people's names: needs xã/phường/huyện/TP… or the province named within CONTEXT_CHARS), context (a
  namesake exists elsewhere: needs the province nearby), strict (namesake of another province: both).
  "Weak" names (their accent-free form reads as ordinary words: "măng đen", "sa thầy", "hiếu") must be
  capitalised in text with diacritics, need the province nearby when they only match with folded tones
  ("Ngọc Tú" ≠ Ngọk Tụ), and need a qualifier, capitals or the province in plain text. Names below
  "bare" must not follow a street/person word ("đường", "ông", "hoàng đế") or a capitalised name part
  ("Lê Ngọc Linh"), and no name may be followed by a parent that is not ours ("…, TP Biên Hòa", "…, thuộc
  địa bàn huyện Phước Sơn"). A landmark after a geographic head noun ("núi", "đèo", "ngã ba", "thủy điện",
  "sâm"…) is a place: the guards above are lifted, and it counts bare unless it lies on a provincial border
  (Ngọc Linh, Lò Xo, Ya Ly), which still needs the province nearby.
- The unit counts by its name, aliases, departments, "Công an huyện/xã/… + our place", and inside a list of
  provinces ("Công an các tỉnh Gia Lai, Kon Tum và Đắk Lắk"). "Công an tỉnh Gia Lai" never does. The
  successor unit "Công an tỉnh Quảng Ngãi" counts (reported under that alias) only with one of our places
  nearby, since before 7/2025 it was an unrelated province's police.
- When the unit is not named, a generic "công an xã / trưởng công an xã / cơ quan công an tỉnh" counts for it
  with one of our places in the same paragraph or the title (the rules and traps are in match_generic.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.nlp import match_generic as generic
from monitor.nlp import match_rules as rules
from monitor.nlp.match_build import Entry, Tables, build_tables
from monitor.nlp.match_patterns import HEAD_SURNAMES, WORD
from monitor.nlp.match_places import Places, load_places
from monitor.nlp.normalize import Normalized, compact, fold_ascii, fold_tone, normalize
from monitor.nlp.targets import WatchTarget

__all__ = ["Matcher", "Mention", "Places", "build_matcher", "load_places"]
CONTEXT_CHARS = 200  # "the province named nearby": within this many chars of the candidate
MAX_HITS = 2000  # raw hits looked at per scan: bounds the time spent on a pathological page
MAX_PER_TARGET = 200  # a 1 MB page repeating a name is one story, not 100,000 mentions
UNIT_WINDOW = 300  # a unit name ends in a place name at most this far after its start (lists of provinces)


@dataclass(frozen=True)
class Mention:
    """One mention of a target in a text."""

    target: str  # target key
    kind: str  # "unit" | "province"
    alias: str  # the configured alias / place name that matched (canonical spelling)
    level: str  # "exact" | "tone" | "ascii"
    start: int  # offsets into the original text
    end: int
    snippet: str


@dataclass
class _Cand:
    entry: Entry
    alias: str
    level: int
    start: int  # normalised offsets
    end: int
    needs_context: bool


class _Scan:
    """One text being scanned: its normalised and folded copies."""

    def __init__(self, text: str) -> None:
        self.norm: Normalized = normalize(text)
        self.low = self.norm.text
        self.asc = fold_ascii(self.low)
        self._plain: dict[tuple[int, int], bool] = {}

    def orig(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.orig_span(start, end)

    def plain(self, start: int, end: int) -> bool:
        if (start, end) not in self._plain:
            self._plain[(start, end)] = rules.is_plain(self.norm.cased, start, end)
        return self._plain[(start, end)]

    def level(self, entries: list[Entry], start: int, end: int) -> tuple[int, Entry | None]:
        """Level of the span against entries; None entry when only ascii would do and the text has diacritics."""
        low = self.low[start:end]
        lvl, entry = rules.level_of(entries, low, fold_tone(low))
        if lvl == 2 and not self.plain(start, end):
            return lvl, None
        return lvl, entry

    def caps(self, start: int, end: int) -> bool:
        return rules.capitalised(self.norm.cased, start, end)

    def shorts_ok(self, start: int, end: int) -> bool:
        return self.plain(start, end) or rules.shorts_ok(self.norm.cased, start, end)


class Matcher:
    """Compiled watch targets; find() is cheap and never raises on any str."""

    def __init__(self, tables: Tables, targets: Sequence[WatchTarget]) -> None:
        self._tb = tables
        self.targets = tuple(targets)

    def find(self, text: str) -> tuple[Mention, ...]:
        """All mentions in text, in order of position."""
        if not isinstance(text, str) or not text:
            return ()
        s = _Scan(text)
        places, hits = self._places(s)
        cands = places + self._units(s, hits)
        if not cands:
            return ()
        found = self._resolve(s, cands)
        return self._with_generic(s, found) if self._generic_units else found

    @property
    def _generic_units(self) -> list[WatchTarget]:
        """Units whose subordinate police may be named generically ("công an xã") next to their places."""
        return [t for t in self.targets if t.kind == "unit" and t.subunit_prefixes and t.province]

    def _with_generic(self, s: _Scan, found: tuple[Mention, ...]) -> tuple[Mention, ...]:
        """Add generic subordinate-police mentions (match_generic) anchored by the places found."""
        extra: list[Mention] = []
        title_end = s.asc.find("\n")
        title_end = len(s.asc) if title_end < 0 else title_end
        for unit in self._generic_units:
            anchors = [(m.start, m.end) for m in found if m.target == unit.province and m.kind == "province"]
            if not anchors or any(m.target == unit.key for m in found):
                continue  # a fallback tier: when the unit is named, generic phrases add nothing
            anchors = [self._to_norm(s, a, b) for a, b in anchors]
            for start, end, phrase in generic.generic_spans(s.asc, s.norm.cased, anchors, title_end):
                plain = not any(ord(c) > 127 for c in s.norm.cased[start:end])
                if plain and not s.plain(start, end):
                    continue
                o_start, o_end = s.orig(start, end)
                extra.append(
                    Mention(
                        unit.key,
                        unit.kind,
                        phrase,
                        "ascii" if plain else "exact",
                        o_start,
                        o_end,
                        rules.snippet(s.norm.original, o_start, o_end),
                    )
                )
        if not extra:
            return found
        return tuple(sorted((*found, *extra), key=lambda m: (m.start, -m.end)))

    @staticmethod
    def _to_norm(s: _Scan, start: int, end: int) -> tuple[int, int]:
        """Original offsets back to normalised ones (identity unless entities/markup were replaced)."""
        spans = s.norm.spans
        if not spans:
            return start, end

        def back(pos: int) -> int:
            i = bisect.bisect_right([sp[2] for sp in spans], pos) - 1
            if i < 0:
                return pos
            n0, n1, _o0, o1 = spans[i]
            return n1 + (pos - o1) if pos >= o1 else n0

        return back(start), back(end)

    def _place_cand(
        self, s: _Scan, entries: list[Entry], start: int, end: int, qualified: bool
    ) -> _Cand | None:
        lvl, e = s.level(entries, start, end)
        if e is None:
            return None
        tier = e.tier
        weak = not e.distinct_ascii  # reads as ordinary words: "măng đen" (black), "sa nhơn" (a herb)
        name_start = start  # where capitals are required: after a head the name carries ("ngã ba Đông Dương")
        own_head = False  # a head before a landmark that is ours alone: it counts like a bare name
        if e.landmark and tier != "strict":
            name_start = self._own_head(s, start, end)
            headed = name_start > start or self._head_before(s, start)
            own_head = headed and not e.shared
            if headed and e.shared and not qualified and tier == "qualified":
                tier = "context"  # "đèo Lò Xo" may be Quảng Nam's side: the guards go, the province is needed
            qualified = qualified or headed
        if tier == "strict" and not qualified:
            return None
        if rules.foreign_parent(s.asc, end, self._tb.group_keys.get(e.group, set())):
            return None
        needs_context = (tier in ("context", "strict") and not own_head) or (
            tier == "qualified" and not qualified
        )
        # Folded tones turn "Ngọc Tụ" into "Ngọc Tú", "Hiếu" into "hiểu": such a match needs the province nearby.
        if lvl == 1 and weak:
            needs_context = True
        if lvl == 2 and weak and not qualified:
            needs_context = True  # plain text: "tu mo rong" may be "tự mở rộng"
        # streets, people: "đường Trường Chinh", "Lê Ngọc Linh"
        if (
            tier != "bare"
            and not qualified
            and (
                rules.blocked(s.low, s.asc, start, s.plain(start, end))
                or rules.person_like(s.norm.cased, start)
            )
        ):
            return None
        if tier != "bare" or weak:
            capitalised = s.caps(name_start, end)
            if lvl < 2 and not capitalised and not (qualified and tier == "bare"):
                return None  # "hòa bình", "xi măng đen", "tân cảnh sát": common words in lower case
            if lvl == 2 and capitalised and tier == "bare" and not qualified:
                needs_context = False  # a capitalised name in a plain post: "Di Mang Den choi"
        return _Cand(e, e.alias, lvl, start, end, needs_context)

    def _head_ok(self, s: _Scan, start: int, end: int) -> bool:
        """A geographic head noun, spelt exactly (or in plain text), and not a capitalised family name ("Hồ")."""
        lvl = rules.qualifier_level(s.low[start:end], self._tb.heads_exact, self._tb.heads_tone)
        if lvl != 0 and not s.plain(start, end):
            return False  # "song" (but) is not "sông", "đeo" (wear) is not "đèo"
        words = WORD.findall(s.norm.cased[start:end])
        return bool(words) and not (words[0][0].isupper() and words[0].lower() in HEAD_SURNAMES)

    def _head_before(self, s: _Scan, start: int) -> bool:
        """ "núi Ngọc Linh", "cửa khẩu quốc tế Bờ Y": a head noun right before the landmark."""
        h = self._tb.head_re.search(s.asc, max(0, start - 25), start)
        return h is not None and self._head_ok(s, *h.span())

    def _own_head(self, s: _Scan, start: int, end: int) -> int:
        """Where the name proper starts when the landmark's name begins with its head ("ngã ba Đông Dương")."""
        h = self._tb.head_prefix_re.match(s.asc, start, end)
        return h.end() if h and h.end() < end and self._head_ok(s, start, h.end()) else start

    def _qualifier_ok(self, s: _Scan, start: int, end: int) -> bool:
        if rules.spouse(s.asc, start):
            return False
        lvl = rules.qualifier_level(s.low[start:end], self._tb.qualifiers_exact, self._tb.qualifiers_tone)
        # Exact only: tone-folded "huyền" (a name) would pass for "huyện".
        return (lvl == 0 or s.plain(start, end)) and s.shorts_ok(start, end)

    def _places(self, s: _Scan) -> tuple[list[_Cand], list[tuple[int, int]]]:
        """Place candidates, and every raw hit (where unit names can be)."""
        out: list[_Cand] = []
        hits: list[tuple[int, int]] = []
        for m in self._tb.place_re.finditer(s.asc):
            if len(hits) >= MAX_HITS:
                break
            hits.append(m.span())
            q = self._tb.qualifier_re.search(s.asc, max(0, m.start() - 20), m.start())
            qualified = q is not None and self._qualifier_ok(s, *q.span())
            c = self._place_cand(s, self._tb.places.get(compact(m.group()), []), *m.span(), qualified)
            if c:
                out.append(c)
        return out, hits

    def _windows(self, s: _Scan, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Where to scan for unit names: the whole text, or merged windows around place hits."""
        if not self._tb.units_near_places:
            return [(0, len(s.asc))]
        windows: list[tuple[int, int]] = []
        for a, b in hits:
            a, b = max(0, a - UNIT_WINDOW), b + CONTEXT_CHARS + 40  # the successor unit may follow
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
            else:
                windows.append((a, b))
        return windows

    def _units(self, s: _Scan, hits: list[tuple[int, int]]) -> list[_Cand]:
        out = []
        for w_start, w_end in self._windows(s, hits):
            out += self._units_in(s, w_start, w_end)
        return out

    def _units_in(self, s: _Scan, w_start: int, w_end: int) -> list[_Cand]:
        out: list[_Cand] = []
        for m in self._tb.unit_re.finditer(s.asc, w_start, w_end):
            if len(out) >= MAX_HITS:
                break
            groups = m.groupdict()  # a target set without places has no prefix/list branches
            if groups.get("items") is not None:
                out += self._list(s, m)
                continue
            if groups.get("al") is not None:
                lvl, e = s.level(self._tb.aliases.get(compact(m.group("al")), []), *m.span())
                if e is not None and s.shorts_ok(*m.span()):
                    out.append(_Cand(e, e.alias, lvl, *m.span(), e.tier == "context"))
                continue
            plvl, pre = s.level(self._tb.prefixes.get(compact(m.group("pre")), []), *m.span("pre"))
            if pre is None or not s.shorts_ok(*m.span("pre")):
                continue
            own = self._tb.unit_places.get(pre.target, {}).get(compact(m.group("pp")), [])
            c = self._place_cand(s, own, *m.span("pp"), qualified=True)
            if c:
                alias = f"{pre.alias} {c.entry.alias}"
                out.append(_Cand(pre, alias, max(plvl, c.level), m.start(), m.end(), c.needs_context))
        return out

    def _list(self, s: _Scan, m: re.Match[str]) -> list[_Cand]:
        """ "Công an các tỉnh Gia Lai, Kon Tum và Đắk Lắk": the unit named inside a list of provinces."""
        pairs = self._tb.list_targets.get(compact(m.group("lp")), [])
        if not pairs or not s.shorts_ok(*m.span("head")):
            return []
        lvl, name = s.level([n for _, n in pairs], *m.span("lp"))
        head_lvl = rules.words_level(s.low[slice(*m.span("head"))], rules.LIST_HEAD_EXACT)
        if name is None or (head_lvl == 2 and not s.plain(*m.span())):
            return []
        items = s.norm.cased[slice(*m.span("items"))]
        words = [w for w in WORD.findall(items) if w.lower() not in ("và", "va")]
        original = s.norm.cased[slice(*m.span())]
        if words and any(c.isupper() for c in original) and not all(w[0].isupper() for w in words):
            return []  # list items are province names, written with capitals
        return [_Cand(unit, unit.alias, max(lvl, head_lvl), m.start(), m.end(), False) for unit, _ in pairs]

    def _resolve(self, s: _Scan, cands: list[_Cand]) -> tuple[Mention, ...]:
        excluded = {
            k: [m.span() for m in rx.finditer(s.asc)]
            for k, rx in self._tb.exclude.items()
            if any(c.entry.target == k for c in cands)
        }
        cands = [
            c
            for c in cands
            if not any(a <= c.start and c.end <= b for a, b in excluded.get(c.entry.target, ()))
        ]
        anchors: dict[str, list[tuple[int, int]]] = {}
        for c in cands:
            if not c.needs_context:
                anchors.setdefault(c.entry.group, []).append((c.start, c.end))
        for spans in anchors.values():
            spans.sort()
        kept: list[_Cand] = []
        last_end: dict[str, int] = {}
        per_target: dict[str, int] = {}
        for c in sorted(cands, key=lambda c: (c.start, -(c.end - c.start))):
            t = c.entry.target
            if c.start < last_end.get(t, -1) or per_target.get(t, 0) >= MAX_PER_TARGET:
                continue  # same target, overlapping: the longer (earlier) match wins
            if c.needs_context and not _near(anchors.get(c.entry.group, []), c.start, c.end):
                continue
            kept.append(c)
            last_end[t] = c.end
            per_target[t] = per_target.get(t, 0) + 1
        out = []
        for c in kept:
            start, end = s.orig(c.start, c.end)
            out.append(
                Mention(
                    c.entry.target,
                    c.entry.kind,
                    c.alias,
                    rules.LEVELS[c.level],
                    start,
                    end,
                    rules.snippet(s.norm.original, start, end),
                )
            )
        return tuple(out)


def _near(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """An anchor (not overlapping the candidate) within CONTEXT_CHARS of [start, end)."""
    i = bisect.bisect_left(spans, (start - CONTEXT_CHARS - UNIT_WINDOW, 0))
    while i < len(spans):
        a, b = spans[i]
        if a > end + CONTEXT_CHARS:
            break
        if b >= start - CONTEXT_CHARS and not (a < end and start < b):
            return True
        i += 1
    return False


def build_matcher(targets: Sequence[WatchTarget]) -> Matcher:
    """Compile targets once (loads their place lists); the result is safe to share between threads."""
    return Matcher(build_tables(targets), targets)
