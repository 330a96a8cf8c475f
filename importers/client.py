"""The Omi API client: one POST per conversation, retried only where a retry is safe.

Retries use tenacity (:class:`tenacity.Retrying`); what to retry is decided per response by
:meth:`OmiClient.decide`, a pure mapping from a response to an outcome (tested with
``httpx.MockTransport``):

================================  =====================================  ===========================
answer                            from-segments (idempotent by csid)     text endpoint (no csid)
================================  =====================================  ===========================
200                               done (``processing``: ask again)       done
connection refused / connect TO   retry                                  retry (nothing was sent)
read timeout, dropped connection  retry, same body                       **uncertain**: never resent
429 with Retry-After (limit)      wait (the pacer), retry                wait, retry (counted first)
429 without (BYOK provider)       exponential backoff                    **uncertain**
503 "Rate limiter unavailable"    backoff, retry                         backoff, retry
500/502/503/504, 409              backoff, retry                         **uncertain**
400/404/413/422 (other 4xx)       RejectedError with the server detail   same
401 / 403                         AuthError: the run stops               same
================================  =====================================  ===========================

A retry of a from-segments body carries the same ``client_session_id``, so the server returns
the conversation it already made instead of a second one. The text endpoint has no such key, so
an answer that may come after the conversation was stored makes the outcome *uncertain*; the
ledger records it and a re-run sends it again only when asked to.

The API key is sent only in the ``Authorization`` header and is scrubbed from every message.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

import httpx
import tenacity
from pydantic import SecretStr

from importers import __version__
from importers.errors import ApiError, AuthError, RejectedError, TransientError, UncertainError
from importers.pacing import Pacer
from importers.payload import RequestBody, SegmentsRequest, endpoint_for, to_json

#: The server gives up at 120 s (504) but may still finish: wait well past that.
READ_TIMEOUT_S = 180.0
LIMITER_DOWN = "Rate limiter unavailable"
READ_PATH = "/v1/dev/user/conversations"
SCOPE_HELP = (
    "the API key may not create conversations (403: {detail}). Create a new key in the Omi app "
    "(Settings > Developer > API keys) and give it write access, the conversations:write scope: "
    "it can only be chosen when the key is created"
)
KEY_HELP = (
    "the API key was refused (401: {detail}). Check --api-key / OMI_API_KEY / the config file; "
    "keys look like omi_dev_ followed by 32 hex digits"
)


@dataclass(frozen=True)
class Created:
    """The server's answer for a created (or already existing) conversation."""

    id: str
    status: str
    discarded: bool


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. Tests shrink the waits (and may pass a fake ``sleep``)."""

    max_attempts: int = 8
    backoff_initial_s: float = 2.0
    backoff_max_s: float = 120.0
    processing_wait_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep


class SendHooks(Protocol):
    """Told about each attempt, so the ledger is written before a request goes out."""

    def sending(self) -> None:
        """A request is about to be sent."""

    def not_sent(self) -> None:
        """The last attempt certainly created nothing (refused connection, 429 before work)."""


class Stopped(Exception):  # noqa: N818 - a signal, not an error
    """The run is stopping (Ctrl-C or an auth error elsewhere): nothing more is sent."""


class Retry(Exception):  # noqa: N818 - a decision, not an error
    """One attempt failed in a way that a retry with the same body may fix."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        processing: bool = False,
        created_nothing: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.processing = processing
        self.created_nothing = created_nothing


@dataclass
class ClientStats:
    """Counters for the report (thread-safe through ``lock``)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()

    def add(self, *, requests: int = 0, retries: int = 0, rate_limited: int = 0) -> None:
        with self.lock:
            self.requests += requests
            self.retries += retries
            self.rate_limited += rate_limited


class OmiClient:
    """POSTs request bodies to Omi.

    Args:
        base_url: checked already (:func:`importers.settings.check_base_url`).
        api_key: the developer API key (needs the ``conversations:write`` scope).
        transport: an httpx transport (tests pass ``httpx.MockTransport``).
        pacer: shared rate-limit pacing; each attempt waits for it.
        policy: retry limits and waits.
        read_timeout_s: at least 180 s for real use (the server may take past 120 s).
        on_retry: told the reason of each retry (progress display).
    """

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        transport: httpx.BaseTransport | None = None,
        pacer: Pacer | None = None,
        policy: RetryPolicy | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self._secret = api_key.get_secret_value()
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.stats = ClientStats()
        self._on_retry = on_retry
        self._http = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(15.0, read=read_timeout_s, write=60.0, pool=None),
            headers={
                "Authorization": f"Bearer {self._secret}",
                "User-Agent": f"omi-import/{__version__}",
            },
        )
        # Exponential (initial, 2x, 4x... up to max) plus up to ``initial`` of jitter.
        self._backoff = tenacity.wait_exponential(
            multiplier=self.policy.backoff_initial_s, max=self.policy.backoff_max_s
        ) + tenacity.wait_random(0, self.policy.backoff_initial_s)

    def __enter__(self) -> OmiClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def scrub(self, text: str) -> str:
        """``text`` with the API key masked (a proxy might echo headers into an error page)."""
        return text.replace(self._secret, "***") if self._secret else text

    def probe(self) -> tuple[int, str]:
        """One read request (the newest conversation): its status and the server's detail.

        For ``omi-import doctor --online``: no retry, nothing written, nothing counted against
        the write rate limit. Raises ``httpx.HTTPError`` when the server cannot be reached.
        """
        response = self._http.get(READ_PATH, params={"limit": 1})
        detail = "" if response.is_success else self.scrub(error_detail(response))
        return response.status_code, detail

    # -- one conversation --------------------------------------------------------------------

    def create(self, body: RequestBody, hooks: SendHooks | None = None) -> Created:
        """Create one conversation, retrying what is safe to retry.

        Raises:
            AuthError: 401/403; the caller should stop the run.
            RejectedError: 400/404/413/422; retrying cannot help.
            UncertainError: text endpoint only; the conversation may exist.
            TransientError: retries used up; a later run may succeed.
            Stopped: the pacer was stopped while waiting.
        """
        payload = to_json(body)
        path = endpoint_for(body)
        idempotent = isinstance(body, SegmentsRequest)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(Retry),
            stop=tenacity.stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            sleep=self.policy.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        return self._attempt(path, payload, idempotent, hooks)
                    except Retry as exc:
                        if exc.created_nothing and hooks is not None:
                            hooks.not_sent()
                        raise
        except Retry as exc:
            status = f" ({exc.status})" if exc.status else ""
            raise TransientError(
                f"gave up after {self.policy.max_attempts} attempts: {exc.reason}{status}; "
                "a re-run tries again",
                status=exc.status,
                detail=exc.reason,
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or raises

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Retry):
            if exc.retry_after is not None:
                # With a pacer, the next acquire() waits for the window's end (all threads do).
                return 0.0 if self.pacer is not None else exc.retry_after
            if exc.processing:
                return self.policy.processing_wait_s
        return float(self._backoff(state))

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        self.stats.add(retries=1)
        exc = state.outcome.exception() if state.outcome else None
        if self._on_retry is not None and isinstance(exc, Retry):
            self._on_retry(exc.reason)

    def _attempt(
        self, path: str, payload: dict[str, object], idempotent: bool, hooks: SendHooks | None
    ) -> Created:
        if self.pacer is not None and not self.pacer.acquire():
            raise Stopped
        if hooks is not None:
            hooks.sending()
        if self.pacer is not None:
            self.pacer.sending()
        self.stats.add(requests=1)
        try:
            response = self._http.post(path, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self._answered()
            # The request never reached the server: safe to send again on either endpoint.
            raise Retry(f"cannot connect ({type(exc).__name__})", created_nothing=True) from None
        except httpx.TransportError as exc:
            self._answered()
            reason = f"no answer ({type(exc).__name__})"
            if idempotent:
                raise Retry(reason) from None
            raise UncertainError(
                f"{reason} after the text was sent; it may or may not be in Omi"
            ) from None
        if response.status_code != 429:
            self._answered()
        return self.decide(response, idempotent)

    def _answered(self) -> None:
        """Tell the pacer an answer other than a 429 came (or none will): a probe is settled."""
        if self.pacer is not None:
            self.pacer.answered()

    # -- the decision ------------------------------------------------------------------------

    def decide(self, response: httpx.Response, idempotent: bool) -> Created:
        """Map one response to a result, or raise the matching decision (see module docstring)."""
        status = response.status_code
        detail = self.scrub(error_detail(response))
        if 200 <= status < 300:
            limit = _int_header(response, "X-RateLimit-Limit")
            if self.pacer is not None and limit is not None:
                self.pacer.observe(limit, _int_header(response, "X-RateLimit-Remaining"))
            return self._created(response, idempotent)
        if status == 401:
            raise AuthError(KEY_HELP.format(detail=detail), status=status, detail=detail)
        if status == 403:
            raise AuthError(SCOPE_HELP.format(detail=detail), status=status, detail=detail)
        if status == 429:
            retry_after = retry_after_seconds(response)
            limit = _int_header(response, "X-RateLimit-Limit")
            if retry_after is None and limit is None:
                # The user's own model provider (BYOK) is rate limited, during processing.
                if not idempotent:
                    raise _uncertain(status, detail)
                raise Retry(f"model provider rate limited: {detail}", status=status)
            self.stats.add(rate_limited=1)
            if self.pacer is not None:
                self.pacer.rate_limited_at(time.monotonic(), retry_after, limit)
            raise Retry(
                "rate limited", status=status, retry_after=retry_after, created_nothing=True
            )
        if status == 503 and detail == LIMITER_DOWN:
            raise Retry(f"server busy: {detail}", status=status, created_nothing=True)
        if status >= 500 or status == 409:
            if not idempotent:
                raise _uncertain(status, detail)
            if status == 409:
                raise Retry("still processing (409)", status=status, processing=True)
            raise Retry(f"server error: {detail or 'no detail'}", status=status)
        raise RejectedError(
            f"rejected by Omi ({status}): {detail or response.reason_phrase}",
            status=status,
            detail=detail,
        )

    def _created(self, response: httpx.Response, idempotent: bool) -> Created:
        try:
            data = response.json()
            created = Created(str(data["id"]), str(data["status"]), bool(data["discarded"]))
        except (ValueError, KeyError, TypeError):
            if not idempotent:
                raise _uncertain(
                    response.status_code, "an answer without a conversation id"
                ) from None
            raise Retry(
                "an answer without a conversation id", status=response.status_code
            ) from None
        if idempotent and created.status == "processing":
            raise Retry("still processing", status=response.status_code, processing=True)
        return created


def _uncertain(status: int, detail: str) -> ApiError:
    return UncertainError(
        f"Omi answered {status} ({detail or 'no detail'}) after the text was sent; "
        "it may or may not be in Omi",
        status=status,
        detail=detail,
    )


def error_detail(response: httpx.Response, limit: int = 300) -> str:
    """The server's ``detail`` as one line: a string, a validation list, or a code/message."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:limit]
    detail = data.get("detail", data) if isinstance(data, dict) else data
    if isinstance(detail, str):
        text = detail
    elif isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            else:
                parts.append(str(item))
        text = "; ".join(parts)
    elif isinstance(detail, dict):
        text = str(detail.get("message") or detail.get("code") or detail)
    else:
        text = str(detail)
    return " ".join(text.split())[:limit]


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (a number, or an HTTP date), or None."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _int_header(response: httpx.Response, name: str) -> int | None:
    raw = response.headers.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None
