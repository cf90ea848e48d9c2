"""Derive monitor/data/places_kon_tum.json from ../shared/data/vn_admin_units (MIT, see PLACES_PROVENANCE.md).

Run from the repo root:  python tools/derive_places.py [SHARED_DATA_DIR]
The shared files are never copied; only this derived list is committed.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from monitor.nlp.match_build import distinct_ascii
from monitor.nlp.normalize import fold_ascii

OLD_PROVINCE = "Kon Tum"
NEW_PROVINCE = "Quảng Ngãi"
OUT = Path(__file__).resolve().parent.parent / "monitor" / "data" / "places_kon_tum.json"

# Common words and people's names (heroes, streets, slogans): never a mention on their own.
COMMON = {
    "Lê Lợi",
    "Thắng Lợi",
    "Hòa Bình",
    "Trường Chinh",
    "Quyết Thắng",
    "Thống Nhất",
    "Ngô Mây",
    "Quang Trung",
    "Duy Tân",
    "Nguyễn Trãi",
    "Trần Hưng Đạo",
    "Đoàn Kết",
    "Vinh Quang",
    "Tân Lập",
    "Hiếu",
    "Xốp",
    "Văn Xuôi",
    "Ya Ly",  # "Yaly" is also the hydropower plant on the Gia Lai side
    "Lò Xo",  # "lò xo" is a spring: the pass counts after "đèo" (a landmark head) or with Kon Tum nearby
    # Measured on VNTC national news: people's names ("MC Ngọc Linh", "Lê Ngọc Linh") and the 1789 battle
    # of Ngọc Hồi – Đống Đa (Hà Nội) outnumber the places; they need huyện/xã/núi/sâm or Kon Tum nearby.
    "Ngọc Linh",
    "Ngọc Hồi",
}
# Distinctive although a same-named unit exists elsewhere (xã Đắk Ha of Đắk Nông is spelt differently).
FORCE_BARE = {"Kon Tum", "Đăk Hà", "Măng Đen", "Bờ Y", "Plei Kần"}
LANDMARKS = {
    "Măng Đen": "tourist area (Kon Plông)",
    "Bờ Y": "international border gate (Ngọc Hồi)",
    "Ngọc Linh": "mountain, ginseng (Đăk Glei / Tu Mơ Rông)",
    "Plei Kần": "town (Ngọc Hồi)",
    "Chư Mom Ray": "national park (Sa Thầy)",
    "Kon Klor": "village and suspension bridge (Kon Tum city)",
    "Ngã ba Đông Dương": "Vietnam-Laos-Cambodia tri-border point (Ngọc Hồi)",
    "Lò Xo": "mountain pass on national road 14 (Đăk Glei)",
    "Plei Krông": "hydropower plant and reservoir (Sa Thầy / Kon Tum city)",
    "Ya Ly": "hydropower reservoir (Sa Thầy)",
}
# Landmarks that straddle a provincial border (the Ngọc Linh massif and its ginseng, the Lò Xo pass, the Yaly
# reservoir): a head noun ("sâm Ngọc Linh") does not make them ours alone. Measured on VNTC national news:
# most "sâm Ngọc Linh" stories are about Quảng Nam's side or counterfeits sold in Đà Lạt.
SHARED = {"Ngọc Linh": ["Quảng Nam"], "Lò Xo": ["Quảng Nam"], "Ya Ly": ["Gia Lai"]}
# Spelling variants seen in the press and in the source lists themselves.
EXTRA_VARIANTS = {
    "Măng Bút": ["Măng Buk"],
    "Bờ Y": ["Pờ Y"],
    "Ia H'Drai": ["Ia HDrai"],
    "Kon Tum": ["Kontum"],
    "Ia Chim": ["Ya Chiêm", "Ya Chim"],  # the press spelling of the commune of TP Kon Tum (issue 11)
}
RENAME = {"Măng Buk": "Măng Bút", "Ya ly": "Ya Ly"}  # old-list spellings of the same commune
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def tone_key(s: str) -> str:
    """Lower-case, tone-mark-free key (keeps ă/â/ê/ô/ơ/ư/đ)."""
    d = unicodedata.normalize("NFD", s.lower())
    return unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES)).replace("’", "'")


def tidy(name: str) -> str:
    """Source-list spelling → canonical display spelling."""
    name = re.sub(r"\s*'\s*", "'", name.strip())
    name = re.sub(r"^la\b", "Ia", name)  # OCR slip in the merger text: "la Chim" for "Ia Chim"
    name = RENAME.get(name, name)
    return " ".join(w.capitalize() if w.isalpha() else w[:1].upper() + w[1:] for w in name.split())


def spellings(name: str) -> list[str]:
    """Press spellings of a name: Đăk/Đắk/Đak/Dak, Ngọk/Ngọc, and undiacritised for distinctive names."""
    out = {name, *EXTRA_VARIANTS.get(name, [])}
    if distinct_ascii(name):  # "Kon Plong (Kontum)": older press prints these names without diacritics
        out.add(" ".join(w.capitalize() for w in fold_ascii(name).split()))
    for v in list(out):
        if re.match(r"Đ[ăắ]k ", v):
            out |= {"Đăk " + v[4:], "Đắk " + v[4:], "Đak " + v[4:], "Dak " + v[4:]}
        if v.startswith(("Ngọk ", "Ngok ")):
            out |= {"Ngọc " + v[5:], "Ngọk " + v[5:]}
    return sorted(out - {name})


def strip_type(s: str) -> str:
    s = re.sub(r"\(.*?\)", "", s).strip()
    return re.sub(r"^(Xã|Phường|Thị trấn|Thị Trấn)\s+", "", s)


def load(shared: Path):
    units = shared / "vn_admin_units"
    old = json.loads((units / "vn_units_pre_2025-07_63_provinces.json").read_text("utf-8"))
    cur = json.loads((units / "vn_units_current_34_provinces.json").read_text("utf-8"))
    sap = json.loads((units / "sapnhap_2025_units_with_predecessors.json").read_text("utf-8"))
    return old, cur, sap


def elsewhere(old, cur, new_kt_codes: set[str]) -> dict[str, set[str]]:
    """tone key → where else in Vietnam a unit of that name exists (outside old Kon Tum)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for p in old:
        if p["Name"] == OLD_PROVINCE:
            continue
        seen[tone_key(p["Name"])].add(f"tỉnh {p['Name']}")
        for d in p["District"] or []:
            seen[tone_key(d["Name"])].add(f"{d['FullName']}, {p['Name']}")
            for w in d["Ward"] or []:
                seen[tone_key(w["Name"])].add(f"{w['FullName']}, {p['Name']}")
    for p in cur:
        seen[tone_key(p["Name"])].add(f"tỉnh {p['Name']} (2025)")
        for w in p["Wards"] or []:
            if w["Code"] not in new_kt_codes:
                seen[tone_key(w["Name"])].add(f"{w['FullName']}, {p['Name']} (2025)")
    return seen


def derive(shared: Path) -> dict:
    old, cur, sap = load(shared)
    kt = next(p for p in old if p["Name"] == OLD_PROVINCE)
    old_ward_keys = {tone_key(w["Name"]) for d in kt["District"] for w in d["Ward"]}
    qn_old = next(p for p in old if p["Name"] == NEW_PROVINCE)
    qn_ward_keys = {tone_key(w["Name"]) for d in qn_old["District"] for w in d["Ward"] or []}
    qn = next(p for p in sap if p["magoc"] == "0" and NEW_PROVINCE in p["ten"])
    new_rows = []
    for r in sap:  # new communes of Quảng Ngãi whose predecessors were in Kon Tum
        if r["magoc"] != qn["ma"]:
            continue
        preds = [tidy(strip_type(x)) for x in re.split(r",\s*", r["truocsapnhap"]) if x.strip()]
        if r["truocsapnhap"].strip() == "giữ nguyên":
            preds = [tidy(strip_type(r["ten"]))]
        keys = {tone_key(p) for p in preds}
        # Some names (Trần Hưng Đạo, Thắng Lợi) existed in both old provinces: decide by the distinctive ones.
        if len(keys & old_ward_keys - qn_ward_keys) > len(keys & qn_ward_keys - old_ward_keys):
            new_rows.append((r["ma"], preds))
    cur_qn = next(p for p in cur if p["Name"] == NEW_PROVINCE)
    cur_by_code = {w["Code"]: w for w in cur_qn["Wards"]}
    new_codes = {code for code, _ in new_rows}
    places: dict[str, dict] = {}

    def add(name: str, kind: str, era: str, **extra) -> dict:
        name = tidy(name)
        key = tone_key(name)
        entry = places.setdefault(key, {"name": name, "kinds": [], "eras": []})
        if era == "2025":
            entry["name"] = name  # the current official spelling wins
        for field, value in (("kinds", kind), ("eras", era)):
            if value not in entry[field]:
                entry[field].append(value)
        for k, v in extra.items():
            entry.setdefault(k, [])
            entry[k] += [x for x in v if x not in entry[k]]
        return entry

    add(OLD_PROVINCE, "province", "pre-2025", now=[f"Tỉnh {NEW_PROVINCE}"])
    pred_to_new: dict[str, list[str]] = defaultdict(list)
    for code, preds in new_rows:
        w = cur_by_code[code]
        add(w["Name"], w["AdministrativeUnitShortName"].lower(), "2025", predecessors=preds)
        for p in preds:
            pred_to_new[tone_key(p)].append(w["FullName"])
    for d in kt["District"]:
        d_kind = "city" if d["FullName"].startswith("Thành phố") else "district"
        d_now = sorted({n for w in d["Ward"] for n in pred_to_new.get(tone_key(w["Name"]), [])})
        add(d["Name"], d_kind, "pre-2025", now=d_now)
        for w in d["Ward"]:
            w_kind = w["FullName"].split(" " + w["Name"])[0].lower()
            add(w["Name"], w_kind, "pre-2025", now=pred_to_new.get(tone_key(w["Name"]), []))
    for name, note in LANDMARKS.items():
        add(name, "landmark", "any", note=[note], **({"shared_with": SHARED[name]} if name in SHARED else {}))
    seen = elsewhere(old, cur, new_codes)
    for key, e in places.items():
        others = sorted(seen.get(key, ()))
        if e["name"] in FORCE_BARE or tone_key(e["name"]) in {tone_key(n) for n in FORCE_BARE}:
            tier = "bare"
        elif any(o.startswith("tỉnh ") for o in others):
            tier = "strict"  # also a province's name (Đắk Nông, Hòa Bình): needs xã/… and Kon Tum nearby
        elif others:
            tier = "context"  # a unit of this name exists elsewhere: needs Kon Tum nearby
        elif (
            e["name"] in COMMON
            or tone_key(e["name"]) in {tone_key(n) for n in COMMON}
            or " " not in e["name"]
        ):
            tier = (
                "qualified"  # common word, person's name or one syllable: needs xã/phường/… or Kon Tum nearby
            )
        else:
            tier = "bare"
        e["tier"] = tier
        e["variants"] = spellings(e["name"])
        if others:
            e["elsewhere"] = others[:5]
    return {
        "name": "kon_tum",
        "province": OLD_PROVINCE,
        "successor": {
            "province": NEW_PROVINCE,
            "unit": f"Công an tỉnh {NEW_PROVINCE}",
            "since": "2025-07-01",
        },
        "generated_by": "tools/derive_places.py",
        "places": sorted(places.values(), key=lambda e: tone_key(e["name"])),
    }


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"
    data = derive(shared)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tiers = defaultdict(int)
    for e in data["places"]:
        tiers[e["tier"]] += 1
    print(f"wrote {OUT} places={len(data['places'])} tiers={dict(tiers)}")


if __name__ == "__main__":
    main(sys.argv)
