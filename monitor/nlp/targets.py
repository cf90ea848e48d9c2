"""Watch targets: what the matcher looks for (built by the config loader from [[watch]] tables)."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("unit", "province")


@dataclass(frozen=True)
class WatchTarget:
    """One watched unit or province; see docs/watch_default.toml for the shipped default."""

    key: str  # slug, e.g. "ca-kon-tum", "kon-tum"
    kind: str  # "unit" | "province"
    name: str  # canonical name, e.g. "Công an tỉnh Kon Tum"
    aliases: tuple[str, ...] = ()  # other names; "Công an" ↔ "CA", "thành phố" ↔ "TP" are expanded anyway
    subunits: tuple[str, ...] = ()  # departments, reported under their own name
    subunit_prefixes: tuple[str, ...] = ()  # "Công an huyện" … + a place of `places`
    places: str | None = None  # shipped place list: "kon_tum" → monitor/data/places_kon_tum.json
    province: str | None = None  # for a unit: key of its province target
    exclude: tuple[str, ...] = ()  # phrases inside which nothing counts for this target

    def __post_init__(self) -> None:
        # TOML gives lists; keep the dataclass hashable and immutable whatever the caller passes.
        for name in ("aliases", "subunits", "subunit_prefixes", "exclude"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def default_targets() -> tuple[WatchTarget, ...]:
    """The shipped default: Công an tỉnh Kon Tum and Kon Tum province (mirrors docs/watch_default.toml)."""
    return (
        WatchTarget(
            key="ca-kon-tum",
            kind="unit",
            name="Công an tỉnh Kon Tum",
            aliases=("CA tỉnh Kon Tum", "Công an Kon Tum", "CA Kon Tum", "Công an tỉnh KonTum"),
            subunits=(
                "Phòng CSGT Công an tỉnh Kon Tum",
                "PC08 Công an tỉnh Kon Tum",
                "Phòng Cảnh sát hình sự Công an tỉnh Kon Tum",
                "Phòng PCCC và CNCH Công an tỉnh Kon Tum",
                "Cơ quan CSĐT Công an tỉnh Kon Tum",
                "Trại tạm giam Công an tỉnh Kon Tum",
                "Cảnh sát giao thông Kon Tum",
                "PC08 Kon Tum",
            ),
            subunit_prefixes=(
                "Công an huyện",
                "Công an thành phố",
                "Công an thị xã",
                "Công an xã",
                "Công an phường",
                "Công an thị trấn",
                "Phòng Cảnh sát giao thông",
                "Đội Cảnh sát giao thông",
            ),
            places="kon_tum",
            province="kon-tum",
            exclude=("Công an tỉnh Gia Lai",),
        ),
        WatchTarget(
            key="kon-tum",
            kind="province",
            name="Kon Tum",
            aliases=("KonTum",),
            places="kon_tum",
            exclude=("Ngọc Hồi, Thanh Trì", "Ngọc Hồi (Thanh Trì)"),
        ),
    )
