"""A polite, patient JSON client for the Parliament API.

Polite: never more than `rate` requests a second. Patient: timeouts, dropped connections,
truncated bodies, 429 (honouring Retry-After) and 5xx are retried with exponential backoff;
any other 4xx is a mistake in the request, so it fails at once with the server's reason.
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from generator import __version__

USER_AGENT = f"answer-archive/{__version__} (written questions archive; polite fetcher)"
MAX_RETRY_AFTER = 600.0


class FetchError(Exception):
    """A request that cannot succeed: a 4xx other than 429, or every retry used up."""

    def __init__(self, message: str, *, client_error: bool = False) -> None:
        super().__init__(message)
        self.client_error = client_error


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


@dataclass
class Client:
    rate: float = 3.0  # requests per second, at most
    retries: int = 5
    timeout: float = 30.0
    backoff: float = 1.0  # first wait; doubles each retry
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0
    _last: float | None = None

    def get_json(self, url: str) -> Any:
        """The parsed JSON at `url`, retrying what is worth retrying."""
        last_reason = ""
        for attempt in range(self.retries + 1):
            try:
                return self._once(url)
            except _Retry as retry:
                last_reason = str(retry)
                if attempt == self.retries:
                    break
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                self.sleep(wait)
        raise FetchError(f"GET {url}: gave up after {self.retries + 1} attempts: {last_reason}")

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * 2**attempt * (1 + random.random() / 4))

    def _pace(self) -> None:
        if self.rate > 0 and self._last is not None:
            wait = self._last + 1 / self.rate - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def _once(self, url: str) -> Any:
        self._pace()
        self.requests += 1
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(url, exc) from None
        except TimeoutError as exc:
            raise _Retry(f"timed out ({exc})") from None
        except urllib.error.URLError as exc:
            raise _Retry(f"network error: {exc.reason}") from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _Retry(f"connection broken: {exc!r}") from None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise _Retry(f"response was not whole JSON ({exc})") from None

    def _http_error(self, url: str, exc: urllib.error.HTTPError) -> Exception:
        code = exc.code
        if code == 429:
            return _Retry(
                "HTTP 429 Too Many Requests", _retry_after(exc.headers.get("Retry-After"))
            )
        if code >= 500:
            return _Retry(f"HTTP {code} {exc.reason}")
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip()
        except OSError:
            detail = ""
        message = f"GET {url}: HTTP {code} {exc.reason}" + (f": {detail}" if detail else "")
        return FetchError(message, client_error=True)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(moment.timestamp() - time.time(), MAX_RETRY_AFTER))
