"""Shipped place lists (monitor/data/places_<name>.json, derived by tools/derive_places.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from monitor.config_tables import places_file
from monitor.errors import ConfigError

TIERS = ("bare", "qualified", "context", "strict")


@dataclass(frozen=True)
class Place:
    """One place name: how it may count (tier), its spellings and what it is called now."""

    name: str
    # "bare": counts alone · "qualified": needs xã/phường/… or the province nearby · "context": the province
    # nearby · "strict": both (a namesake of another province: Đắk Nông)
    tier: str
    kinds: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    now: tuple[str, ...] = ()  # current (post-2025) units covering an old name
    shared_with: tuple[str, ...] = ()  # a landmark on a provincial border: the other province(s)


@dataclass(frozen=True)
class Places:
    """A place list: the province, its places, and the successor after the 2025 merger."""

    name: str
    province: str
    places: tuple[Place, ...]
    successor_unit: str | None = None
    successor_province: str | None = None

    def get(self, name: str) -> Place | None:
        """The place with this canonical name, if any."""
        return next((p for p in self.places if p.name == name), None)


def load_places(name: str) -> Places:
    """Load a shipped place list by name ("kon_tum")."""
    if not re.fullmatch(r"[a-z0-9_]+", name or ""):
        raise ConfigError(f'Tên danh sách địa danh không hợp lệ "{name}".')
    path = places_file(name)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f'Không có danh sách địa danh "{name}" ({path.name}).') from None
    places = tuple(
        Place(
            name=e["name"],
            tier=e["tier"] if e.get("tier") in TIERS else "context",
            kinds=tuple(e.get("kinds", ())),
            variants=tuple(e.get("variants", ())),
            now=tuple(e.get("now", ())),
            shared_with=tuple(e.get("shared_with", ())),
        )
        for e in raw["places"]
    )
    succ = raw.get("successor") or {}
    return Places(raw.get("name", name), raw["province"], places, succ.get("unit"), succ.get("province"))
