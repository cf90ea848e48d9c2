"""Compile watch targets into the matcher's tables: entries keyed by accent-free compact form, and regexes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.nlp.match_patterns import LANDMARK_HEADS, QUALIFIERS, SEP, ascii_forms, expansions, trie_regex
from monitor.nlp.match_places import Places, load_places
from monitor.nlp.normalize import compact, fold_ascii, fold_lower, fold_tone, tone_placement
from monitor.nlp.targets import WatchTarget

# A syllable that Vietnamese spelling allows; accent-stripped names made only of such syllables
# ("sa thay", "mang den", "tu mo rong") read as ordinary words in plain text and need support there.
_VN_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|k(?=[eiy])|[bcdghlmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
LIST_QUANTIFIERS = ("các", "hai", "ba", "bốn", "năm", "những")


@dataclass(frozen=True)
class Entry:
    """One name of one target: what it reports and how it may count."""

    target: str
    kind: str
    alias: str  # reported spelling
    group: str  # targets sharing a place list support each other as context
    tier: str  # "bare" | "qualified" | "context"
    exact: frozenset[str]  # compact lower-case forms
    tone: frozenset[str]  # compact tone-folded forms
    own: str = ""  # compact form of the alias as configured: preferred when the text spells it so
    distinct_ascii: bool = True  # accent-free form cannot be read as ordinary words
    landmark: bool = False  # a geographic head noun before it ("đèo Lò Xo") lifts the person/street guards
    shared: bool = False  # landmark on a provincial border: even after a head it needs our province nearby


@dataclass
class Tables:
    """Everything find() needs, built once."""

    place_re: re.Pattern[str]
    qualifier_re: re.Pattern[str]  # searched backwards from a place: "xã " + place
    unit_re: re.Pattern[str]  # aliases | prefix + place | list of provinces ending in ours
    places: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    aliases: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    prefixes: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    unit_places: dict[str, dict[str, list[Entry]]] = field(
        default_factory=dict
    )  # unit key → place key → entries
    # province key → (unit entry, province-name entry): "Công an các tỉnh …, <province>"
    list_targets: dict[str, list[tuple[Entry, Entry]]] = field(default_factory=lambda: defaultdict(list))
    group_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # our place names
    exclude: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # Every unit spelling contains one of our place names: scan for units only around place hits.
    units_near_places: bool = False
    qualifiers_exact: frozenset[str] = frozenset()
    qualifiers_tone: frozenset[str] = frozenset()
    head_re: re.Pattern[str] = re.compile("(?!)")  # searched backwards from a landmark: "núi " + place
    head_prefix_re: re.Pattern[str] = re.compile(
        "(?!)"
    )  # a landmark name that starts with its head ("Ngã ba …")
    heads_exact: frozenset[str] = frozenset()
    heads_tone: frozenset[str] = frozenset()


def distinct_ascii(form: str) -> bool:
    """Whether the accent-free form has a syllable Vietnamese spelling does not allow (Kon, Đăk, Glei)."""
    return any(not _VN_SYLLABLE.fullmatch(s) for s in re.findall(r"[a-z0-9]+", fold_ascii(form)))


def make_entry(
    t: WatchTarget,
    alias: str,
    group: str,
    tier: str,
    spellings: Sequence[str] = (),
    landmark: bool = False,
    shared: bool = False,
) -> tuple[Entry, set[str]]:
    """An entry and its accent-free spellings (for the scanning regex)."""
    forms: set[str] = set()
    for s in (alias, *spellings):
        forms |= expansions(s)
    entry = Entry(
        target=t.key,
        kind=t.kind,
        alias=alias,
        group=group,
        tier=tier,
        exact=frozenset(compact(tone_placement(f)) for f in forms),
        tone=frozenset(compact(fold_tone(f)) for f in forms),
        own=compact(tone_placement(fold_lower(alias))),
        distinct_ascii=all(distinct_ascii(f) for f in forms if " " in f or len(f) > 3),
        landmark=landmark,
        shared=shared,
    )
    return entry, ascii_forms(forms)


def _group(t: WatchTarget, by_key: dict[str, WatchTarget]) -> str:
    if t.places:
        return t.places
    if t.province and t.province in by_key:
        return by_key[t.province].places or t.province
    return t.key


def build_tables(targets: Sequence[WatchTarget]) -> Tables:
    """Load place lists and compile every target into one set of tables."""
    by_key = {t.key: t for t in targets}
    lists: dict[str, Places] = {t.places: load_places(t.places) for t in targets if t.places}
    place_forms: set[str] = set()
    unit_forms: set[str] = set()
    prefix_forms: set[str] = set()
    unit_place_forms: set[str] = set()
    province_forms: set[str] = set()
    context_forms: set[str] = set()  # unit spellings that count only near a place anyway
    tb = Tables(place_re=re.compile("(?!)"), qualifier_re=re.compile("(?!)"), unit_re=re.compile("(?!)"))
    for t in targets:
        group = _group(t, by_key)
        pl = lists.get(t.places) if t.places else None
        names: list[tuple[str, str, tuple[str, ...], bool, bool]] = [(t.name, "bare", (), False, False)]
        names += [(a, "bare", (), False, False) for a in t.aliases]
        if t.kind == "province":
            if pl:
                names += [
                    (p.name, p.tier, p.variants, "landmark" in p.kinds, bool(p.shared_with))
                    for p in pl.places
                ]
            for alias, tier, variants, landmark, shared in names:
                e, forms = make_entry(t, alias, group, tier, variants, landmark, shared)
                for f in forms:
                    tb.places[compact(f)].append(e)
                    tb.group_keys[group].add(compact(f))
                place_forms |= forms
            if pl and pl.successor_province:
                tb.group_keys[group].add(compact(fold_ascii(pl.successor_province)))
            continue
        for alias in (t.name, *t.aliases, *t.subunits):
            e, forms = make_entry(t, alias, group, "bare")
            for f in forms:
                tb.aliases[compact(f)].append(e)
            unit_forms |= forms
        if pl and pl.successor_unit:  # counts only with our province nearby (see match.py)
            e, forms = make_entry(t, pl.successor_unit, group, "context")
            for f in forms:
                tb.aliases[compact(f)].append(e)
            unit_forms |= forms
            context_forms |= forms
        for prefix in t.subunit_prefixes:
            e, forms = make_entry(t, prefix, group, "bare")
            for f in forms:
                tb.prefixes[compact(f)].append(e)
            prefix_forms |= forms
        if pl:
            own: dict[str, list[Entry]] = defaultdict(list)
            for p in pl.places:
                e, forms = make_entry(t, p.name, group, p.tier, p.variants)
                for f in forms:
                    own[compact(f)].append(e)
                unit_place_forms |= forms
            tb.unit_places[t.key] = own
            province_name = by_key[t.province].name if t.province in by_key else pl.province
            unit_entry, _ = make_entry(t, t.name, group, "bare")
            name_entry, forms = make_entry(t, province_name, group, "bare")
            for f in forms:
                tb.list_targets[compact(f)].append((unit_entry, name_entry))
            province_forms |= forms
    tb.place_re = re.compile(rf"(?<!\w)(?:{trie_regex(place_forms)})(?!\w)")
    tb.qualifier_re = re.compile(rf"(?<!\w)(?:{trie_regex(ascii_forms(QUALIFIERS))}){SEP}$")
    place_rx = re.compile(rf"(?<!\w)(?:{trie_regex(place_forms | province_forms)})(?!\w)")
    tb.units_near_places = bool(place_forms) and all(place_rx.search(f) for f in unit_forms - context_forms)
    unit_alt = [f"(?P<al>{trie_regex(unit_forms)})"]
    if prefix_forms and unit_place_forms:
        unit_alt.insert(0, f"(?P<pre>{trie_regex(prefix_forms)}){SEP}(?P<pp>{trie_regex(unit_place_forms)})")
    if province_forms:  # last: a plain alias at the same place wins
        quant = "|".join(fold_ascii(q) for q in LIST_QUANTIFIERS)
        item = r"[^\W\d_]+(?:[ \-][^\W\d_]+){0,3}"
        unit_alt.append(
            rf"(?P<head>(?:cong{SEP}an|ca)\s+(?:(?:{quant})\s+)?tinh)\b"
            rf"(?:[^.!?;:\n]{{0,30}}?\b(?:gom|nhu|la)\b\s*:?)?\s*"
            rf"(?P<items>(?:{item}\s*(?:,|\bva\b|&)\s*){{0,6}})(?P<lp>{trie_regex(province_forms)})"
        )
    tb.unit_re = re.compile(r"(?<!\w)(?:" + "|".join(unit_alt) + r")(?!\w)")
    for t in targets:
        if t.exclude:
            forms = set().union(*(ascii_forms(expansions(x)) for x in t.exclude))
            tb.exclude[t.key] = re.compile(rf"(?<!\w)(?:{trie_regex(forms)})(?!\w)")
    heads = ascii_forms(LANDMARK_HEADS)
    tb.head_re = re.compile(rf"(?<!\w)(?:{trie_regex(heads)}){SEP}$")
    tb.head_prefix_re = re.compile(rf"(?:{trie_regex(heads)})\s+")
    tb.heads_exact = frozenset(compact(tone_placement(fold_lower(h))) for h in LANDMARK_HEADS)
    tb.heads_tone = frozenset(compact(fold_tone(h)) for h in LANDMARK_HEADS)
    quals = set().union(*(expansions(q) for q in QUALIFIERS))
    tb.qualifiers_exact = frozenset(compact(tone_placement(fold_lower(q))) for q in quals)
    tb.qualifiers_tone = frozenset(compact(fold_tone(q)) for q in quals)
    return tb
