"""Watch targets: what the matcher looks for (built by the config loader from [[watch]] tables)."""

from __future__ import annotations

from monitor.config_tables import WATCH_KINDS as KINDS
from monitor.config_tables import WatchTarget

__all__ = ["KINDS", "WatchTarget", "default_targets"]


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
