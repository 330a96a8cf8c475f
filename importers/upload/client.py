"""The Omi API client: one request per attempt, and for each answer what may follow.

The client never waits and never retries by itself: the uploader's scheduler
(:mod:`importers.upload.scheduler`) grants each request its rate-limit unit and schedules every
retry, writes and reads alike. An attempt either returns, or raises :class:`Retry` (a retry with the
same request may succeed, after :meth:`OmiClient.retry_wait`) or an error that ends it.
What each answer means is the decision table's (:mod:`importers.upload.decisions`, a pure
function of the answer); what an answer teaches the pacer (the limit, a 429's window, a
limiter that was down and counted nothing) is recorded once per request, in
:meth:`OmiClient._account`.

A retry that follows an answer (any but the limiter's) spent a write unit: the scheduler allows
a conversation :attr:`RetryPolicy.max_failures` such attempts per run, and the jobs stop the
run when one failure answers several conversations in a row (:mod:`importers.upload.jobs`).

A connection that cannot be made says why (:func:`importers.upload.transport.connect_failure`: DNS,
refused, TLS, timeout), so that a run can stop when Omi cannot be reached at all.

``DELETE /v1/dev/user/conversations/{id}`` (:meth:`OmiClient.delete_attempt`) is paced like a
POST (the same rate-limit unit) and may be repeated, so it is decided as from-segments is;
200 means deleted and 404 means Omi holds no such conversation (deleted already).
``GET /v1/dev/user/conversations`` (:meth:`OmiClient.find_attempt`, read scope, a budget of 60
an hour, :attr:`OmiClient.read_pacer`) reads a conversation back when its outcome is unknown,
and ``GET .../conversations/{id}`` (:meth:`OmiClient.status_attempt`) tells whether one answered
``processing`` has been completed, without spending a write unit on a replay.

``Retry-After`` that is ``inf``, ``nan``, negative or unreadable is no deadline (the 429 still
fills the pacer's window); one past :data:`~importers.upload.pacing.MAX_WINDOW_S` (a day) counts as
a day, and the retry note says what the server asked for.

A retry of a from-segments body carries the same ``client_session_id``, so the server returns
the conversation it already made instead of a second one. The text endpoint has no such key, so
an answer that may come after the conversation was stored makes the outcome *uncertain*; the
ledger records it and a re-run sends it again only when asked to.

The API key is sent only in the ``Authorization`` header, only to the base URL
(:mod:`importers.upload.transport`: no redirects, no proxy for loopback), and what the server
supplies is shown or stored only with the key masked (:meth:`Decisions.shown`).
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Protocol
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from importers import __version__
from importers.conversion.payload import (
    SEGMENTS_ENDPOINT,
    TEXT_ENDPOINT,
    Conversation,
    RequestBody,
    TextRequest,
)
from importers.errors import EndpointError, TransientError, UncertainError
from importers.redact import Redactor, printable
from importers.upload.answers import (
    MAX_ANSWER_BYTES,
    Answer,
    MalformedAnswer,
    error_detail,
    int_header,
    listed_match,
    listed_status,
)
from importers.upload.decisions import (
    DETAIL_CHARS,
    READ_SCOPE_HELP,
    SCOPE_HELP,
    Created,
    Decisions,
    Retry,
    capped_retry_after,
    from_limiter,
    limiter_down,
)
from importers.upload.pacing import Pacer
from importers.upload.transport import (
    Deadline,
    answer_failure,
    certificate_failure,
    connect_failure,
    http_client,
)

#: The server gives up at 120 s (504) but may still finish: wait well past that.
READ_TIMEOUT_S = 180.0
#: How long one attempt may take in all (connect, send, answer), beyond the read timeout.
DEADLINE_MARGIN_S = 60.0
#: Reads have a budget of their own: 60 an hour (server-behavior.md's limits, read scope).
READ_LIMIT = 60
READ_WINDOW_S = 3600.0
#: How far apart a listed conversation's start and ours may be and still be the same one
#: (the server may store started_at to the second).
MATCH_SLACK = timedelta(seconds=1)
#: Conversations asked for in one read-back (those starting within MATCH_SLACK of ours).
LIST_PAGE = 25
#: The bound on a list answer: 25 conversations with their transcripts (a text may be
#: 100,000 characters) exceed the bound on other answers.
MAX_LIST_BYTES = 4 * 1024 * 1024
JSON_HEADERS = {"Content-Type": "application/json"}
READ_PATH = "/v1/dev/user/conversations"
CERTIFICATE_HELP = (
    "cannot verify the TLS certificate of {host} ({reason}); nothing was sent. If that server "
    "is yours, point SSL_CERT_FILE at the certificate of the authority that signed it; "
    "otherwise a proxy, antivirus or captive portal may be intercepting the connection, or "
    "the system clock is wrong"
)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying (the scheduler's rules). Tests shrink the waits.

    Attributes:
        max_attempts: attempts of one request that reached no server (refused connections...).
        max_failures: attempts of one conversation per run that the server answered with a
            failure, or whose answer was lost: each spent a write unit (25 an hour), so the
            first and two retries.
        same_failure_stop: different conversations in a row answered with the same failure
            that stop the run (:class:`~importers.errors.FailingError`).
        processing_wait_s: the first wait before a conversation Omi is still processing is
            looked up (doubling after each look).
        processing_rounds: how often it is looked up in a run before it is left to the next.
    """

    max_attempts: int = 8
    max_failures: int = 3
    same_failure_stop: int = 3
    backoff_initial_s: float = 2.0
    backoff_max_s: float = 120.0
    processing_wait_s: float = 30.0
    processing_rounds: int = 5


class SendHooks(Protocol):
    """Told about each attempt, so the ledger is written before a request goes out."""

    def sending(self) -> None:
        """A request is about to be sent."""

    def not_sent(self) -> None:
        """The last attempt certainly created nothing (refused connection, 429 before work)."""


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
    """Creates and deletes conversations in Omi, and reads them back: one request an attempt
    (:meth:`attempt`, :meth:`delete_attempt`, :meth:`find_attempt`, :meth:`status_attempt`),
    its rate-limit unit already granted by the caller's :class:`~importers.upload.pacing.Pacer`; the
    retries are the caller's (:meth:`retry_wait` says when).

    Args:
        base_url: checked already (:func:`importers.upload.settings.check_base_url`).
        api_key: the developer API key (needs the ``conversations:write`` scope; reading back
            needs ``conversations:read``).
        transport: an httpx transport (tests pass ``httpx.MockTransport``).
        pacer: shared rate-limit pacing of writes (POST and DELETE).
        read_pacer: the pacing of reads (GET), a budget of its own (default: Omi's 60 an hour).
        policy: retry limits and waits.
        read_timeout_s: at least 180 s for real use (the server may take past 120 s).
        deadline_s: the most one attempt may take in all (default: read timeout + 60 s).
        on_retry: told the reason of each retry (progress display).
        on_request: told of each request when it ends, as one line (``-v``): method, path,
            status (or why there was none) and seconds.
    """

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        transport: httpx.BaseTransport | None = None,
        pacer: Pacer | None = None,
        read_pacer: Pacer | None = None,
        policy: RetryPolicy | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        deadline_s: float | None = None,
        on_retry: Callable[[str], None] | None = None,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        secret = api_key.get_secret_value()
        self.decisions = Decisions(base_url, Redactor(secret))
        self.base_url = base_url
        self.pacer = pacer
        self.read_pacer = read_pacer or Pacer(READ_LIMIT, READ_WINDOW_S)
        self.policy = policy or RetryPolicy()
        self.stats = ClientStats()
        self._on_retry = on_retry
        self._on_request = on_request
        self._deadline_s = read_timeout_s + DEADLINE_MARGIN_S if deadline_s is None else deadline_s
        self._http = http_client(
            base_url,
            {"Authorization": f"Bearer {secret}", "User-Agent": f"omi-import/{__version__}"},
            read_timeout_s=read_timeout_s,
            transport=transport,
        )

    def __enter__(self) -> OmiClient:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def host(self) -> str:
        return self.decisions.host

    def shown(self, text: str, limit: int = DETAIL_CHARS) -> str:
        """Server-supplied ``text`` fit to show or store (:meth:`Decisions.shown`)."""
        return self.decisions.shown(text, limit)

    def probe(self) -> tuple[int, str]:
        """One read request (the newest conversation): its status and the server's detail.

        For ``omi-import doctor --online``: no retry, nothing written, nothing counted against
        the write rate limit. Raises ``httpx.HTTPError`` when the server cannot be reached.
        """
        with self._http.stream("GET", READ_PATH, params={"limit": 1}) as response:
            answer = Answer.read(response)
        detail = "" if response.is_success else self.shown(error_detail(answer))
        return response.status_code, detail

    # -- one conversation --------------------------------------------------------------------

    def attempt(
        self,
        conversation: Conversation,
        hooks: SendHooks | None = None,
        *,
        idempotent: bool | None = None,
    ) -> Created:
        """One request creating ``conversation``; the caller has the rate-limit grant.

        ``idempotent``: whether sending the body again is safe (the server honours its
        ``client_session_id``); default: for every from-segments body.

        Raises:
            Retry: a retry with the same body may succeed (wait :meth:`retry_wait` first).
            DeletedError: the key's conversation was deleted in Omi (segments).
            AuthError: 401/403; the caller should stop the run.
            EndpointError: a certificate that fails verification, or a redirect; stop too.
            RejectedError: 400/404/413/422; retrying cannot help.
            UncertainError: it may have been created, and sending it again could duplicate it.
        """
        segments = conversation.endpoint == SEGMENTS_ENDPOINT
        if idempotent is None:
            idempotent = segments
        try:
            if hooks is not None:
                hooks.sending()
            answer = self._exchange(
                "POST", conversation.endpoint, self.pacer, idempotent, content=conversation.json
            )
            return self.decisions.decide(answer, idempotent, segments=segments)
        except Retry as exc:
            if exc.created_nothing and hooks is not None:
                hooks.not_sent()
            raise

    def delete_attempt(self, conversation_id: str) -> bool:
        """One ``DELETE /v1/dev/user/conversations/{id}`` (paced like a POST: the same unit).

        A DELETE may be repeated safely, so any failure to get an answer is retried.

        Returns:
            True when Omi deleted it; False when it holds no such conversation (404: deleted
            already, by an earlier attempt whose answer was lost or in the app).

        Raises:
            Retry: try again later (:meth:`retry_wait`).
            AuthError, EndpointError: stop the run. RejectedError: another 4xx.
        """
        path = f"{TEXT_ENDPOINT}/{quote(conversation_id, safe='')}"
        answer = self._exchange("DELETE", path, self.pacer, True)
        if 200 <= answer.status < 300:
            return True
        if answer.status == 404:
            return False
        raise self.decisions.failure(answer, True, SCOPE_HELP)

    def status_attempt(self, conversation_id: str) -> tuple[str, bool] | None:
        """One ``GET /v1/dev/user/conversations/{id}`` (read scope; the read pacer's grant
        already given): the conversation's ``(status, discarded)``, or None when Omi holds no
        such conversation (404).

        Raises:
            Retry: try again later. AuthError: 403 (the key has no read scope) or 401.
            UncertainError: an answer that is no conversation.
        """
        path = f"{TEXT_ENDPOINT}/{quote(conversation_id, safe='')}"
        answer = self._exchange("GET", path, self.read_pacer, True)
        if answer.status == 404:
            return None
        if not 200 <= answer.status < 300:
            raise self.decisions.failure(answer, True, READ_SCOPE_HELP)
        found = listed_status(answer)
        if found is None:
            raise UncertainError("reading it back found an answer that is no conversation")
        return self.shown(found[0], 40), found[1]

    def find_attempt(self, body: RequestBody) -> str | None:
        """One read back of a conversation (read scope; the read pacer's grant already given):
        the id of the one Omi lists with the same ``started_at`` and text (a segments body's
        texts, joined), or None when there is none.

        Uses ``GET /v1/dev/user/conversations``. A conversation Omi discarded as too short is
        not listed: it reads as none.

        Raises:
            Retry: try again later. AuthError: 403 (the key has no read scope) or 401.
            UncertainError: a conversation at that time whose text is not listed, or a list
                that is no list: nothing can be concluded.
        """
        started = body.started_at
        params = {
            "start_date": (started - MATCH_SLACK).isoformat(),
            "end_date": (started + MATCH_SLACK).isoformat(),
            "include_transcript": "true",
            "limit": str(LIST_PAGE),
        }
        answer = self._exchange(
            "GET", TEXT_ENDPOINT, self.read_pacer, True, params=params, limit=MAX_LIST_BYTES
        )
        if not 200 <= answer.status < 300:
            raise self.decisions.failure(answer, True, READ_SCOPE_HELP)
        if isinstance(body, TextRequest):
            text = body.text
        else:
            text = " ".join(s.text for s in body.transcript_segments)
        try:
            found = listed_match(answer, started, text, slack=MATCH_SLACK)
        except MalformedAnswer as exc:
            raise UncertainError(f"reading it back found {exc.reason}") from None
        return None if found is None else self.shown(found, 200)

    # -- retries -----------------------------------------------------------------------------

    def gave_up(self, exc: Retry, attempts: int | None = None) -> TransientError:
        """The error once ``attempts`` attempts (default: ``policy.max_attempts``) ended in
        ``exc``."""
        status = f" ({exc.status})" if exc.status else ""
        attempts = self.policy.max_attempts if attempts is None else attempts
        return TransientError(
            f"gave up after {attempts} attempts: {exc.reason}{status}; a re-run tries again",
            status=exc.status,
            detail=exc.reason,
        )

    def retry_wait(self, exc: Retry, attempt_number: int) -> float:
        """Seconds to wait after attempt ``attempt_number`` (1-based) ended in ``exc``."""
        if exc.retry_after is not None:
            # With a pacer, the next grant waits for the window's end (all requests do).
            wait = 0.0 if self.pacer is not None else exc.retry_after
            # A server that keeps saying "now" (Retry-After: 0) gets backoff, not a burst.
            if attempt_number > 1:
                wait = max(wait, self.backoff(attempt_number))
            return wait
        if exc.processing:
            return self.policy.processing_wait_s
        return self.backoff(attempt_number)

    def backoff(self, attempt_number: int) -> float:
        """The exponential backoff after attempt ``attempt_number``: the policy's initial wait,
        doubling with each attempt up to its maximum, plus up to the initial wait of jitter (so
        that the retries of many conversations do not fall together)."""
        policy = self.policy
        exponent = min(attempt_number - 1, 64)  # 2**64 x any sane wait is past the maximum
        return min(policy.backoff_max_s, policy.backoff_initial_s * 2.0**exponent) + (
            random.uniform(0, policy.backoff_initial_s)
        )

    def retried(self, reason: str) -> None:
        """Count one retry (and show its reason)."""
        self.stats.add(retries=1)
        if self._on_retry is not None:
            self._on_retry(reason)

    # -- one request -------------------------------------------------------------------------

    def _exchange(
        self,
        method: str,
        path: str,
        pacer: Pacer | None,
        idempotent: bool,
        *,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        limit: int = MAX_ANSWER_BYTES,
    ) -> Answer:
        """Send one request and read its answer (at most ``limit`` bytes), or raise the
        decision for a request that got no answer (module docstring)."""
        sent_at = pacer.sending() if pacer is not None else None
        self.stats.add(requests=1)
        deadline = Deadline(self._deadline_s)
        started, outcome = time.monotonic(), "no answer"
        try:
            with self._http.stream(
                method,
                path,
                content=content,
                params=params,
                headers=JSON_HEADERS if content is not None else None,
                extensions={"trace": deadline.trace},
            ) as response:
                answer = Answer.read(response, limit)
            outcome = str(answer.status)
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.ProxyError,
        ) as exc:
            outcome = f"cannot connect ({connect_failure(exc)})"
            self._answered(pacer, sent_at)
            if (failure := certificate_failure(exc)) is not None:
                raise self._certificate_error(failure) from None
            # The request never reached the server (a proxy that refuses the tunnel included):
            # safe to send again on either endpoint.
            raise Retry(
                outcome,
                created_nothing=True,
                unreachable=connect_failure(exc),
                spent=False,
            ) from None
        except httpx.RequestError as exc:  # transport errors, and a body that fails to decode
            reason = (
                f"no complete answer within {self._deadline_s:.0f} s"
                if deadline.expired
                else f"no answer ({answer_failure(exc)})"
            )
            outcome = reason
            self._answered(pacer, sent_at)
            if idempotent:
                raise Retry(reason) from None
            raise UncertainError(
                f"{reason} after the text was sent; it may or may not be in Omi"
            ) from None
        finally:
            deadline.cancel()
            if self._on_request is not None:
                took = time.monotonic() - started
                self._on_request(f"request: {method} {path} -> {outcome} ({took:.1f} s)")
        self._account(answer, pacer, sent_at)
        return answer

    def _account(self, answer: Answer, pacer: Pacer | None, sent_at: float | None) -> None:
        """What an answer teaches about the rate limit, recorded once per request: the limit a
        success's headers give, the window a limiter's 429 says, and that a limiter that was
        down counted nothing (the decisions on the answer stay pure functions of it)."""
        if limiter_down(answer):
            # Nothing was counted, nor is anything known of the window: the grant goes back.
            if pacer is not None:
                pacer.uncounted(sent_at)
            return
        if answer.status != 429 or not from_limiter(answer):
            # A provider's 429 (BYOK) comes during processing, past Omi's limiter: the window
            # is open, and a probe waiting for this answer is settled.
            self._answered(pacer, sent_at)
        if 200 <= answer.status < 300:
            limit = int_header(answer.headers, "X-RateLimit-Limit")
            if pacer is not None and limit is not None:
                pacer.observe(limit, int_header(answer.headers, "X-RateLimit-Remaining"))
        elif answer.status == 429 and from_limiter(answer):
            self.stats.add(rate_limited=1)
            if pacer is not None:
                pacer.rate_limited_at(
                    time.monotonic(),
                    capped_retry_after(answer),
                    int_header(answer.headers, "X-RateLimit-Limit"),
                )

    def _certificate_error(self, failure: ssl.SSLCertVerificationError) -> EndpointError:
        reason = printable(str(failure.verify_message or failure.reason or failure), 200)
        return EndpointError(CERTIFICATE_HELP.format(host=self.host, reason=reason), detail=reason)

    @staticmethod
    def _answered(pacer: Pacer | None, sent_at: float | None) -> None:
        """Tell the pacer an answer other than the limiter's 429 came (or none will)."""
        if pacer is not None:
            pacer.answered(sent_at)
