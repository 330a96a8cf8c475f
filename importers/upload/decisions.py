"""What each answer of Omi means: the decision table of the client.

:class:`Decisions` maps one answer to a request to its outcome, a pure function of the answer
(tested with ``httpx.MockTransport`` and against ``tests/fake_omi.py``): a :class:`Created`, a
:class:`Retry` (a retry with the same request may succeed) or an error that ends it. Whether the
request is *idempotent* decides what an answer that may come after the conversation was stored
means: a from-segments body to a server known to honour its ``client_session_id`` may simply be
sent again; the text endpoint's (and a body to a server of unknown era) is *uncertain*.

=================================  ====================================  ==========================
answer                             idempotent (from-segments, a server   not idempotent (text; and
                                   known to honour client_session_id)    segments to E0 or unknown)
=================================  ====================================  ==========================
200 ``{id, status, discarded}``    done (``processing``: settled later)  done
200 ``status: "deleted"``, 410     DeletedError: the key's conversation  (segments only) same
``conversation_deleted``           was deleted in Omi
other 2xx: not JSON, no sane id,   retry, same body                      **uncertain**
no bool ``discarded``, > 256 KiB
refused, connect TO, proxy error   retry                                 retry (nothing was sent)
TLS certificate fails to verify    EndpointError: the run stops          same (nothing was sent)
read timeout, dropped connection,  retry, same body                      **uncertain**: read back
attempt past its deadline                                                before it is ever resent
3xx (never followed)               EndpointError: the run stops          same
429 with Retry-After or a limit    wait (the pacer), retry               wait, retry (counted first)
429 BYOK, 500/503 with the API's   backoff, retry (processing failed     same (nothing was stored)
own JSON ``detail``                before anything was stored)
503 "Rate limiter unavailable"     backoff, retry (it counted nothing:   backoff, retry
                                   the unit goes back to the pacer)
other 5xx (a gateway's 502/504,    backoff, retry                        **uncertain**
an empty 500), 409 in progress
409 "identity was merged"          RejectedError                         same
400/404/413/422 (other 4xx)        RejectedError with the server detail  same
401 / 403                          AuthError: the run stops              same
=================================  ====================================  ==========================

A retry that follows an answer (any but the limiter's) spent a write unit: the scheduler allows
a conversation :attr:`RetryPolicy.max_failures` such attempts per run, and the jobs stop the
run when one failure answers several conversations in a row (:mod:`importers.upload.jobs`).

Everything the server supplies that is shown or stored (details, reason phrases, ids, statuses,
a redirect's target) has the key masked first, then is made printable and short
(:mod:`importers.redact`); an id that is not a plain short token is refused rather than stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from importers.errors import (
    ApiError,
    AuthError,
    DeletedError,
    EndpointError,
    RejectedError,
    UncertainError,
)
from importers.redact import Redactor, printable
from importers.upload.answers import (
    Answer,
    MalformedAnswer,
    created_fields,
    detail_code,
    error_detail,
    handler_detail,
    int_header,
    retry_after_seconds,
)
from importers.upload.pacing import MAX_WINDOW_S

#: A Retry-After at least this long is a deadline the pacer keeps (shorter: backoff too).
PACED_RETRY_AFTER_S = 1.0
#: The longest server detail quoted in a message; ids and statuses are shorter still.
DETAIL_CHARS = 300
LIMITER_DOWN = "Rate limiter unavailable"
SCOPE_HELP = (
    "the API key may not create conversations (403: {detail}). Create a new key in the Omi app "
    "(Settings > Developer > API keys) and give it write access, the conversations:write scope: "
    "it can only be chosen when the key is created"
)
REDIRECT_HELP = (
    "{base} answered {status}, a redirect to {location}: the API key is never sent after a "
    "redirect. Set --base-url (or OMI_API_BASE_URL) to the address that answers itself, "
    "such as https://api.omi.me"
)
READ_SCOPE_HELP = (
    "the API key may not read conversations (403: {detail}), so uncertain chats cannot be "
    "looked up; check the app, then use --resend-uncertain for the missing ones"
)
DELETED_HELP = (
    "deleted in Omi{where}: it was deleted (in the app, or by omi-import delete) and Omi will "
    "not make it again under its key, so nothing was created"
)
#: 409 for a conversation Omi merged into another (E2).
MERGED = "identity was merged"
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
    #: The answer carries fields only newer servers add (E2).
    newer: bool = False


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
        unreachable: str | None = None,
        spent: bool = True,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.processing = processing
        self.created_nothing = created_nothing
        #: The attempt spent a write unit on a failure (an answer other than the limiter's,
        #: or one that was lost): counted against :attr:`RetryPolicy.max_failures`.
        self.spent = spent
        #: Why no connection could be made at all (DNS, refused, TLS, timeout): a run stops
        #: after a few of these in a row (:mod:`importers.upload.scheduler`).
        self.unreachable = unreachable

    @property
    def paced(self) -> bool:
        """The rate limiter said when to come back (a ``Retry-After`` of a second or more):
        the pacer waits for it, and it is no failure of this request. (A server that keeps
        saying "now" gets backoff instead.)"""
        return self.retry_after is not None and self.retry_after >= PACED_RETRY_AFTER_S


class Decisions:
    """The decision table for one server (``base_url``), with the key masked by ``redact``."""

    def __init__(self, base_url: str, redact: Redactor) -> None:
        self.base_url = base_url
        self._redact = redact

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or self.base_url

    def shown(self, text: str, limit: int = DETAIL_CHARS) -> str:
        """Server-supplied ``text`` fit to show or store: the key masked (a proxy may echo the
        headers into an error page), then one printable line of at most ``limit`` characters."""
        return printable(self._redact(text), limit)

    def decide(self, answer: Answer, idempotent: bool, *, segments: bool = True) -> Created:
        """Map one answer to a create to a result, or raise the decision (module docstring): a
        pure function of the answer."""
        if 200 <= answer.status < 300:
            return self._created(answer, idempotent, segments)
        if segments and answer.status == 410 and detail_code(answer) == "conversation_deleted":
            raise DeletedError(DELETED_HELP.format(where=""), status=410)
        raise self.failure(answer, idempotent, SCOPE_HELP)

    def failure(self, answer: Answer, idempotent: bool, scope_help: str) -> Exception:
        """The decision for an answer that is not a 2xx (the table's lower rows)."""
        status = answer.status
        detail = self.shown(error_detail(answer))
        if 300 <= status < 400:
            location = self.shown(answer.headers.get("Location", "nowhere"), 200)
            return EndpointError(
                REDIRECT_HELP.format(base=self.base_url, status=status, location=location),
                status=status,
                detail=location,
            )
        if status == 401:
            return AuthError(KEY_HELP.format(detail=detail), status=status, detail=detail)
        if status == 403:
            return AuthError(scope_help.format(detail=detail), status=status, detail=detail)
        if status == 429:
            return self._rate_limited(answer, idempotent, detail)
        if limiter_down(answer):
            return Retry(f"server busy: {detail}", status=status, created_nothing=True, spent=False)
        if status in (500, 503) and handler_detail(answer):
            # Omi's processing failed before anything was stored (its claim is released).
            return Retry(f"server error: {detail}", status=status, created_nothing=True)
        if status == 409 and MERGED in detail:
            return RejectedError(
                f"Omi merged this conversation into another one (409: {detail}); nothing more "
                "is sent for it",
                status=status,
                detail=detail,
            )
        if status >= 500 or status == 409:
            if not idempotent:
                return _uncertain(status, detail)
            if status == 409:
                return Retry("still processing (409)", status=status, processing=True)
            return Retry(f"server error: {detail or 'no detail'}", status=status)
        return RejectedError(
            f"rejected by Omi ({status}): {detail or self.shown(answer.reason_phrase)}",
            status=status,
            detail=detail,
        )

    def _rate_limited(self, answer: Answer, idempotent: bool, detail: str) -> Exception:
        if not from_limiter(answer):
            # The user's own model provider (BYOK) is rate limited, during processing: its
            # JSON detail says so, and nothing was stored.
            if not idempotent and not handler_detail(answer):
                return _uncertain(answer.status, detail)
            return Retry(
                f"model provider rate limited: {detail}",
                status=answer.status,
                created_nothing=not idempotent or handler_detail(answer),
            )
        asked = retry_after_seconds(answer.headers)
        retry_after = capped_retry_after(answer)
        reason = "rate limited"
        if asked is not None and asked > MAX_WINDOW_S:
            reason += f" (the server asked to wait {asked:.3g} s; waiting {MAX_WINDOW_S:.0f} s)"
        return Retry(
            reason, status=answer.status, retry_after=retry_after, created_nothing=True, spent=False
        )

    def _created(self, answer: Answer, idempotent: bool, segments: bool) -> Created:
        try:
            fields = created_fields(answer)
            if self._redact(fields.id) != fields.id:
                raise MalformedAnswer("an answer without a conversation id")
        except MalformedAnswer as exc:
            if not idempotent:
                raise _uncertain(answer.status, exc.reason) from None
            raise Retry(exc.reason, status=answer.status) from None
        created = Created(fields.id, self.shown(fields.status, 40), fields.discarded, fields.newer)
        if segments and created.status == "deleted":
            raise DeletedError(
                DELETED_HELP.format(where=f" ({created.id})"), conversation_id=created.id
            )
        return created


def capped_retry_after(answer: Answer) -> float | None:
    """``Retry-After`` in seconds, at most a day (:data:`~importers.upload.pacing.MAX_WINDOW_S`)."""
    asked = retry_after_seconds(answer.headers)
    return None if asked is None else min(asked, MAX_WINDOW_S)


def limiter_down(answer: Answer) -> bool:
    """Whether Omi's rate limiter was down (503 "Rate limiter unavailable"): it counted nothing."""
    return answer.status == 503 and error_detail(answer) == LIMITER_DOWN


def from_limiter(answer: Answer) -> bool:
    """Whether a 429 is Omi's limiter (it tells when or how much) rather than the provider's."""
    headers = answer.headers
    return (
        retry_after_seconds(headers) is not None
        or int_header(headers, "X-RateLimit-Limit") is not None
    )


def _uncertain(status: int, detail: str) -> ApiError:
    return UncertainError(
        f"Omi answered {status} ({detail or 'no detail'}) after the text was sent; "
        "it may or may not be in Omi",
        status=status,
        detail=detail,
    )
