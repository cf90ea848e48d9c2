"""The one error tree of `monitor`.

Every error carries a user-facing Vietnamese sentence (`message`, shown by the CLI instead of a
traceback) and the stage it came from. Log lines use `str(error)`, which starts with the stage.

    MonitorError                      base; .message is Vietnamese, .stage names the pipeline stage
    ├── ConfigError                   sources.toml / settings are wrong (names file, line, key)
    ├── FetchError                    fetch: .kind is a FailureKind (hard, transient, dns)
    │   ├── BlockedAddressError       private/loopback/link-local target refused (hard)
    │   ├── BodyTooLargeError         body over the cap, counted after decompression (hard)
    │   ├── DeadlineExceededError     the wall-clock deadline for one fetch ran out (transient)
    │   ├── TooManyRedirectsError     redirect cap or loop (hard)
    │   ├── HttpStatusError           a 4xx/5xx answer; 429/5xx transient, other 4xx hard
    │   └── PoolExhaustedError        our own connection pool was full (not the outlet's fault)
    ├── ParseError                    parse: the body is not a usable feed or page
    │   └── NotAFeedError             empty 200, HTML page, challenge page
    ├── AnalysisError                 nlp: a text could not be analysed (recorded, batch goes on)
    ├── StoreError                    store: database problems worth a sentence
    │   ├── WriteConflictError        a concurrent writer won a race for the same rows: retry
    │   └── SchemaVersionError        the schema is newer than this code (or an unknown revision)
    ├── SchedulerLockedError          another `monitor run` already drives this database
    ├── AccessError                   accounts: who may do what
    │   ├── LoginRefusedError         wrong name/password, disabled account, too many failures
    │   └── PermissionDeniedError     the acting user may not do this at all (their role, a disabled
    │                                 account): audited as refused by the edge that caught it (HTTP 403);
    │                                 .action and .obj name what was attempted
    ├── DeliveryError                 mail/webhook: a digest or alert could not be delivered
    │   ├── TemporaryDeliveryError    connection refused, timeout, SMTP 4xx, HTTP 5xx: retried later
    │   └── PermanentDeliveryError    SMTP 5xx, recipient refused, HTTP 4xx: marked failed
    └── WorkflowError                 queue: a case action was refused
        ├── TransitionError           the action is not allowed from the case's state (a role that may
        │                             never do it gets PermissionDeniedError instead)
        ├── ClaimConflictError        someone else holds the claim (names who)
        ├── StaleVersionError         the case changed since the user looked at it
        └── NotFoundError             no such case / user / article
"""

from __future__ import annotations

import enum


class FailureKind(enum.Enum):
    """How bad a fetch failure is for the source's health (hard > transient > dns)."""

    HARD = "hard"
    TRANSIENT = "transient"
    DNS = "dns"
    OURS = "ours"  # our own fault (pool exhausted): never counts against the outlet


class MonitorError(Exception):
    """Base of every error `monitor` raises on purpose."""

    stage = "monitor"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message  # Vietnamese, shown to the user
        self.detail = detail  # English, for logs

    def __str__(self) -> str:
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.stage}: {self.message}{tail}"


class ConfigError(MonitorError):
    """The configuration file or settings are invalid."""

    stage = "config"


class FetchError(MonitorError):
    """A source or page could not be fetched."""

    stage = "fetch"
    kind = FailureKind.HARD

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        kind: FailureKind | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, detail=detail)
        if kind is not None:
            self.kind = kind
        self.retry_after = retry_after  # seconds, from a Retry-After header


class BlockedAddressError(FetchError):
    """The URL resolves to an address we refuse (private, loopback, link-local…)."""


class BodyTooLargeError(FetchError):
    """The (decompressed) body exceeded the size cap."""


class DeadlineExceededError(FetchError):
    """The whole fetch took longer than its wall-clock deadline."""

    kind = FailureKind.TRANSIENT


class TooManyRedirectsError(FetchError):
    """Too many redirects, or a redirect loop."""


class HttpStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        detail: str | None = None,
        kind: FailureKind | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, detail=detail, kind=kind, retry_after=retry_after)
        self.status = status


class PoolExhaustedError(FetchError):
    """Our connection pool had no free connection in time: our fault, not the outlet's."""

    kind = FailureKind.OURS


class ParseError(MonitorError):
    """A body could not be parsed into items or an article."""

    stage = "parse"


class NotAFeedError(ParseError):
    """The body is not a feed (empty, HTML page, challenge page)."""


class AnalysisError(MonitorError):
    """A text could not be analysed."""

    stage = "nlp"


class StoreError(MonitorError):
    """A database problem worth telling the user about."""

    stage = "store"


class WriteConflictError(StoreError):
    """A concurrent writer won a race for the same rows (unique constraint, deadlock, lock): retry."""


class SchemaVersionError(StoreError):
    """The database was migrated by a newer (or another) version of monitor: nothing may run on it."""


class SchedulerLockedError(MonitorError):
    """Another scheduler already drives this database."""

    stage = "scheduler"


class AccessError(MonitorError):
    """Log-in or permission refused."""

    stage = "accounts"


class LoginRefusedError(AccessError):
    """Wrong username or password, a disabled account, or too many recent failures."""


class PermissionDeniedError(AccessError):
    """The acting user may not do this (role, disabled account); not a workflow refusal.

    `action` and `obj` say what was attempted, for the audit line ("case_approve", "case 12");
    `audited` is set once the refusal has been written, so the line is written exactly once whichever
    layer catches it (`accounts.service.record_refusal`).
    """

    def __init__(self, message: str, *, detail: str | None = None, action: str = "", obj: str = "") -> None:
        super().__init__(message, detail=detail)
        self.action = action
        self.obj = obj
        self.audited = False


class DeliveryError(MonitorError):
    """A digest or alert could not be handed to the mail server or the webhook."""

    stage = "delivery"


class TemporaryDeliveryError(DeliveryError):
    """Worth retrying later (connection refused, timeout, SMTP 4xx)."""


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (SMTP 5xx, every recipient refused)."""


class WorkflowError(MonitorError):
    """A case action was refused."""

    stage = "queue"


class TransitionError(WorkflowError):
    """The action is not allowed from the case's current state (or the input is incomplete)."""


class ClaimConflictError(WorkflowError):
    """Another user holds the claim on this case."""


class StaleVersionError(WorkflowError):
    """The case changed since the user last read it."""


class NotFoundError(WorkflowError):
    """No such case, user or article."""
