"""The HTTP connection to Omi, set up so that the key goes nowhere but the base URL.

* **No redirects are followed**: ``Authorization`` would go along to wherever a 3xx points
  (another host, or plain ``http://``). A redirect is reported instead (the client's table).
* **No proxy for a loopback base URL.** ``http://`` is allowed only to loopback
  (:func:`importers.upload.settings.check_base_url`), but an ``HTTP_PROXY``/``ALL_PROXY`` from the
  environment would still receive the request, key included, in clear text, and a proxy
  cannot reach our loopback anyway. ``https://`` to another host may use the environment's
  proxy: the proxy only sees a ``CONNECT`` and TLS runs end to end.
* **Every attempt has a deadline.** httpx's timeouts bound each read, not an answer: a server
  that trickles a byte every few minutes, in the headers or the body, would hold a worker
  forever. :class:`Deadline` shuts the attempt's socket down when its time is up (the read then
  fails like a dropped connection). It finds the socket through httpcore's documented
  ``trace`` extension (the ``connection.connect_tcp.complete`` event), so connections are not
  kept alive: each request opens its own, which costs one handshake per request on an API that
  allows 25 requests an hour and takes seconds to answer each.
* A certificate that fails verification is recognised (:func:`certificate_failure`): retrying
  cannot fix it. Other connection failures are named by their cause (:func:`connect_failure`).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from importers.redact import printable
from importers.upload.settings import is_loopback

CONNECT_TIMEOUT_S = 15.0
WRITE_TIMEOUT_S = 60.0


def http_client(
    base_url: str,
    headers: dict[str, str],
    *,
    read_timeout_s: float,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client for ``base_url`` with the rules in the module docstring."""
    limits = httpx.Limits(max_keepalive_connections=0)
    if transport is None and is_loopback(urlsplit(base_url).hostname or ""):
        # An explicit transport is never given the environment's proxies.
        transport = httpx.HTTPTransport(limits=limits)
    return httpx.Client(
        base_url=base_url,
        transport=transport,
        limits=limits,
        follow_redirects=False,
        timeout=httpx.Timeout(
            CONNECT_TIMEOUT_S, read=read_timeout_s, write=WRITE_TIMEOUT_S, pool=None
        ),
        headers=headers,
    )


class Deadline:
    """Ends one attempt at ``seconds`` after it starts, whatever the server does.

    Pass :meth:`trace` as the request's ``trace`` extension; call :meth:`cancel` when the
    answer is read. ``expired`` tells afterwards whether the deadline cut the attempt.
    """

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._done = False
        self.expired = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        sock = info["return_value"].get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if self._done:
                return
            self._timer = threading.Timer(
                max(0.0, self._ends - time.monotonic()), self._expire, (sock,)
            )
            self._timer.daemon = True
            self._timer.start()

    def _expire(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
        # shutdown (not close) wakes a recv() blocked in another thread.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        with self._lock:
            self._done = True
            if self._timer is not None:
                self._timer.cancel()


def certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error behind an httpx connect error, if that is the cause."""
    return next((c for c in _chain(exc) if isinstance(c, ssl.SSLCertVerificationError)), None)


def connect_failure(exc: BaseException) -> str:
    """Why a connection could not be made, in words that name the cause: DNS, refused, TLS or
    timeout (else the error's own words)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout: no connection within {CONNECT_TIMEOUT_S:.0f} s"
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            return "DNS: the host name does not resolve"
        if isinstance(cause, ConnectionRefusedError):
            return "refused: nothing accepts connections at that address and port"
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None) or cause.strerror or type(cause).__name__
            return f"TLS: the handshake failed ({printable(str(reason), 120)})"
        if isinstance(cause, TimeoutError):
            return f"timeout: no connection within {CONNECT_TIMEOUT_S:.0f} s"
    if isinstance(exc, httpx.ProxyError):
        return "proxy: the proxy refused the connection"
    return f"{type(exc).__name__}: {str(exc)[:200] or 'no detail'}"


#: What became of a request that got no answer, by httpx's error (anything else: no answer).
_NO_ANSWER = (
    (httpx.ReadTimeout, "no answer in time"),
    (httpx.WriteTimeout, "it could not be sent in time"),
    (httpx.RemoteProtocolError, "the connection closed without a whole answer"),
    (httpx.ReadError, "the connection broke while waiting for the answer"),
    (httpx.WriteError, "the connection broke while sending"),
    (httpx.DecodingError, "an answer that could not be decoded"),
)


def answer_failure(exc: httpx.RequestError) -> str:
    """Why a request that was sent got no (usable) answer, in words, not a library's class."""
    return next((words for kind, words in _NO_ANSWER if isinstance(exc, kind)), "no answer")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes (``__cause__``, else ``__context__``), each once."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
