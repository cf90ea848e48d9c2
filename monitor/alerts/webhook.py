"""POST an alert batch as JSON to the unit's own relay (Zalo/Telegram bot…), with the standard library."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from monitor.errors import PermanentDeliveryError, TemporaryDeliveryError


class WebhookPoster:
    """Posts JSON; 2xx is delivered, 429/5xx and network errors are temporary, other 4xx permanent."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def post(self, payload: dict[str, Any]) -> None:
        """Deliver one JSON body or raise a DeliveryError."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "monitor-alerts/0.1"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            message = f"Webhook {self.url} trả lời {exc.code}."
            if exc.code == 429 or exc.code >= 500:
                raise TemporaryDeliveryError(message, detail=f"http {exc.code}") from None
            raise PermanentDeliveryError(message, detail=f"http {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise TemporaryDeliveryError(
                f"Không gửi được tới webhook {self.url} ({exc}).", detail=repr(exc)
            ) from None
