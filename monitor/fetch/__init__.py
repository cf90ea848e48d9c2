"""Safe HTTP fetching: SSRF guard, wall-clock deadline, size cap after decompression, conditional GET.

Public names are re-exported here; the modules behind them are private.
"""

from monitor.fetch.health import (
    Health,
    is_due,
    on_failure,
    on_success,
    parse_retry_after,
    status_label,
    wants_unconditional,
)
from monitor.fetch.http import Fetcher
from monitor.fetch.status import is_modified, is_rate_limited, is_redirect, is_transient_status
from monitor.fetch.types import FetchLimits, FetchResult, Validators

__all__ = [
    "FetchLimits",
    "FetchResult",
    "Fetcher",
    "Health",
    "Validators",
    "is_due",
    "is_modified",
    "is_rate_limited",
    "is_redirect",
    "is_transient_status",
    "on_failure",
    "on_success",
    "parse_retry_after",
    "status_label",
    "wants_unconditional",
]
