"""Safe HTTP fetching: SSRF guard, wall-clock deadline, size cap after decompression, conditional GET.

Public names are re-exported here; the modules behind them are private:

    model     FetchLimits, Validators, FetchResult (plain values; no httpx object leaves this package)
    http      Fetcher: one pool, admission queue, per-host slots, redirects followed and checked by hand
    guard     which schemes and addresses may be reached (checked after DNS, on every hop)
    pinning   connect only to the addresses the guard approved (no second DNS answer)
    body      size cap counted after gzip/deflate, inflating in bounded slices
    status    small named questions about a status; the error each failing status becomes
    failures  httpx exceptions and our limits as FetchErrors with a Vietnamese sentence
    health    pure per-source health: weighted failures, jittered backoff, Retry-After, labels
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
from monitor.fetch.model import FetchLimits, FetchResult, Validators
from monitor.fetch.status import is_modified, is_rate_limited, is_redirect, is_transient_status

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
