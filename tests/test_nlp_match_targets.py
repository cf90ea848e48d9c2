"""Watch targets and the shipped place list: the default, its TOML twin, and the derived data."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.nlp.match import build_matcher, load_places
from monitor.nlp.targets import WatchTarget, default_targets

ROOT = Path(__file__).resolve().parent.parent


def test_docs_watch_block_is_the_default() -> None:
    data = tomllib.loads((ROOT / "docs" / "watch_default.toml").read_text(encoding="utf-8"))
    assert tuple(WatchTarget(**w) for w in data["watch"]) == default_targets()


def test_lists_from_toml_become_tuples() -> None:
    t = WatchTarget(key="x", kind="unit", name="Công an tỉnh X", aliases=["CA X"])  # type: ignore[arg-type]
    assert t.aliases == ("CA X",) and hash(t)


def test_place_list_loads_with_tiers_and_post_merger_names() -> None:
    places = load_places("kon_tum")
    assert places.province == "Kon Tum"
    assert places.successor_unit == "Công an tỉnh Quảng Ngãi"
    by_name = {p.name: p for p in places.places}
    assert by_name["Kon Tum"].tier == "bare"
    assert by_name["Quyết Thắng"].tier == "context"  # namesakes in other provinces
    assert by_name["Trường Chinh"].tier == "qualified"  # a hero's name
    assert by_name["Đắk Nông"].tier == "strict"  # also a province
    assert "Phường Kon Tum" in by_name["Quyết Thắng"].now  # old ward → the 2025 ward
    assert {"Măng Ri", "Kon Braih", "Dục Nông", "Đăk Pxi"} <= set(by_name)  # 2025 communes
    assert "Ia Chim" in by_name and "La Chim" not in by_name  # OCR slip of the merger text fixed


@pytest.mark.parametrize("name", ["", "../etc", "khong_co"])
def test_unknown_place_list_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError):
        load_places(name)


def test_target_without_place_list() -> None:
    t = WatchTarget(key="ca-gia-lai", kind="unit", name="Công an tỉnh Gia Lai", aliases=("CA Gia Lai",))
    m = build_matcher([t])
    assert [x.alias for x in m.find("Sáng nay CA Gia Lai triệt phá đường dây ma túy.")] == ["CA Gia Lai"]
    assert m.find("Công an tỉnh Kon Tum họp báo.") == ()


@pytest.mark.shared
def test_derived_list_is_reproducible(shared_data: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from derive_places import derive
    finally:
        sys.path.pop(0)
    shipped = json.loads((ROOT / "monitor" / "data" / "places_kon_tum.json").read_text(encoding="utf-8"))
    assert derive(shared_data) == shipped


def test_exclude_phrases_silence_a_target_inside_them() -> None:
    t = WatchTarget(key="kt", kind="province", name="Kon Tum", exclude=("khách sạn Kon Tum",))
    m = build_matcher([t])
    assert m.find("Đoàn khách nghỉ tại khách sạn Kon Tum ở Hà Nội.") == ()
    assert [x.alias for x in m.find("Đoàn khách lên Kon Tum.")] == ["Kon Tum"]


def test_matcher_is_not_mutated_by_find() -> None:
    m = build_matcher(default_targets())
    before = {k: len(v) for k, v in vars(m._tb).items() if isinstance(v, dict)}
    m.find("Phường Quyết Thắng, TP Kon Tum; xã Hòa Bình; Công an tỉnh Quảng Ngãi; cong an tinh kon tum")
    assert {k: len(v) for k, v in vars(m._tb).items() if isinstance(v, dict)} == before
