"""A fake Omi server for the uploader's tests: a real HTTP server on 127.0.0.1, random port.

It behaves as ``shared/omi-api/server-behavior.md`` says: the order of checks (malformed JSON,
auth, scope, rate limit, schema, per-segment rules, finished_at), a fixed window rate limit with
its headers, idempotency by ``client_session_id`` (a replay returns the stored conversation, a
replay while processing gets ``processing`` or 409), the text endpoint (no idempotency), the
read endpoint ``GET /v1/dev/user/conversations`` (needs ``conversations:read``; not counted
against the write limit), and injectable faults: latency, 500, provider 503, limiter 503, BYOK
429, connections dropped before or after the conversation is stored, and 504 after storing it.

Besides the two writes it serves ``DELETE /v1/dev/user/conversations/{id}`` (write scope, the
same rate-limit unit as a POST; ``{"success": true}``, 404 for an id it does not hold) and
``GET /v1/dev/user/conversations`` (read scope, its own budget: ``read_limit`` per
``read_window_s``, 60 an hour as on Omi; ``start_date``/``end_date``/``limit``/``offset``/
``include_transcript``; completed, non-discarded conversations, newest first). Omi does not
document what a conversation made from text lists as its transcript; the fake lists its text as
one segment (what the uploader's read-back compares). ``fake.hold_deletes()`` holds DELETEs
until ``fake.release_deletes(apply=...)``, to kill a client at that moment.

**Eras.** ``FakeOmi(era=...)`` plays one of the server versions of server-behavior.md's "Server
eras" (default ``E2``, today's hosted server):

* ``E0``: ``client_session_id`` ignored (every request makes a conversation with a random
  ``uuid4`` id, so a retry duplicates); an omitted source is ``external_integration``; the
  integration sources and a naive datetime fail with 500; an unknown source is a 422; a speaker
  label other than ``SPEAKER_NN`` fails with 500.
* ``E1``: idempotent by ``client_session_id`` (the id is ``uuid5`` of user and key); an omitted
  source is ``phone``, an unknown one is stored as ``unknown``; the integration sources and a
  naive datetime still fail with 500; a replay after a delete makes the conversation again.
* ``E2`` / ``E2-410``: as E1, but the integration sources are stored without memories
  (``Stored.memories``), a naive datetime is a 422, the answer adds
  ``meeting_treatment_eligible``, and the key of a deleted conversation is answered
  ``{"status": "deleted", "discarded": true}`` (E2) or 410 ``conversation_deleted`` (E2-410),
  forever. ``fake.delete_in_app(id)`` deletes as the user does in the app.

A replay while the first request is still processing answers ``processing`` with the
conversation's id, and ``GET .../conversations/{id}`` answers that claim's row as
``{"status": "processing"}`` until it is stored.

Built on the standard library's ``http.server`` rather than FastAPI/uvicorn because two faults
need raw socket control: closing the connection with no response at all (before or after the
conversation is committed) is not something an ASGI app can do.

Faults come from a queue (``fake.queue("504_after", "500")``, consumed by the next requests that
reach processing; ``fake.queue_for(csid, ...)`` for one conversation's) or at random
(``fault_rate``, seeded). Every request is recorded in
``fake.requests``; every conversation created in ``fake.conversations``.

A hostile or broken server is played with :class:`Canned` answers (``fake.answer(...)``, served
raw to the next requests that pass auth): the key echoed back, bodies that are not JSON or never
end, headers trickled a byte at a time, redirects, odd ``Retry-After`` values
(``retry_after_text`` also replaces the limiter's own). ``FakeOmi(tls=context)`` serves
https; ``fake.connections`` counts TCP connections, TLS handshakes that fail included.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
import signal
import socket
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SEGMENTS = "/v1/dev/user/conversations/from-segments"
TEXT = "/v1/dev/user/conversations"
WRITE_SCOPE = "conversations:write"
READ_SCOPE = "conversations:read"
PROCESSING_FAULTS = ("500", "503", "byok429", "drop_before", "drop_after", "504_after")
ALL_FAULTS = (*PROCESSING_FAULTS, "limiter503")
TEXT_SOURCES = ("audio_transcript", "message", "other_text")
ERAS = ("E0", "E1", "E2", "E2-410")
#: Sources whose segment uploads Omi processes as a text upload (server-behavior.md, Sources).
INTEGRATION_SOURCES = ("external_integration", "workflow")
PROCESSING_ERROR = "Error processing conversation, please try again later"
_ID_NAMESPACE = uuid.UUID("6f6d692d-696d-706f-7274-2d66616b6521")
SOURCES = (
    "friend", "omi", "fieldy", "bee", "plaud", "frame", "friend_com", "apple_watch", "phone",
    "phone_call", "desktop", "openglass", "screenpipe", "workflow", "sdcard",
    "external_integration", "limitless", "onboarding", "unknown",
)  # fmt: skip
GOOD_KEY = "omi_dev_" + "0123456789abcdef" * 2
READ_ONLY_KEY = "omi_dev_" + "fedcba9876543210" * 2
WRITE_ONLY_KEY = "omi_dev_" + "00112233445566778899aabbccddeeff"


Body = str | bytes | Callable[[str], bytes]


@dataclass(frozen=True)
class Canned:
    """One raw answer. ``body``: bytes; a str in which ``{key}`` becomes the request's API key;
    or a function of the key (``{key}`` works in the reason phrase and headers too). ``mode``:

    * ``whole``: the body with its Content-Length;
    * ``endless``: a chunked body that never ends;
    * ``trickle_headers`` / ``trickle_body``: one byte every 50 ms, never complete;
    * ``stall``: the headers (Content-Length 100), then silence.
    """

    status: int = 200
    body: Body = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    reason: str = "OK"
    mode: str = "whole"

    def raw_body(self, key: str) -> bytes:
        if callable(self.body):
            return self.body(key)
        if isinstance(self.body, str):
            return self.body.replace("{key}", key).encode()
        return self.body


def canned_json(status: int, payload: Any, **kwargs: Any) -> Canned:
    """A JSON answer; ``{key}`` inside its strings becomes the request's API key."""
    return Canned(status, json.dumps(payload), **kwargs)


@dataclass
class Record:
    """One request as the server saw it."""

    at: float
    path: str
    method: str = "POST"
    status: int | None = None  # None: the connection was dropped
    client_session_id: str | None = None
    fault: str | None = None
    body: Any = None
    authorization: str | None = None


@dataclass
class Stored:
    id: str
    endpoint: str
    client_session_id: str | None
    body: dict[str, Any]
    discarded: bool
    created_at: float
    deleted: bool = False
    #: The source the server stored (``phone`` for an omitted one on E1/E2).
    source: str = "external_integration"
    #: Whether Omi's processing extracted memories from it (E2: not for the integration
    #: sources, whose memory extraction reads only a text upload's text).
    memories: bool = True


@dataclass
class FakeOmi:
    """Start with ``with FakeOmi(...) as fake:``; ``fake.url`` is the base URL."""

    keys: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            GOOD_KEY: (READ_SCOPE, WRITE_SCOPE),
            READ_ONLY_KEY: (READ_SCOPE,),
            WRITE_ONLY_KEY: (WRITE_SCOPE,),
        }
    )
    limit: int = 25
    window_s: float = 3600.0
    read_limit: int = 60
    read_window_s: float = 3600.0
    latency_s: float | Callable[[], float] = 0.0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = ALL_FAULTS
    seed: int = 0
    conflict_409: bool = False
    integer_retry_after: bool = False
    retry_after_text: str | None = None
    tls: ssl.SSLContext | None = None
    #: Which server (server-behavior.md, "Server eras"): E0, E1, E2 (a replay after a delete
    #: gets the ``deleted`` ack) or E2-410 (it gets 410 ``conversation_deleted``).
    era: str = "E2"
    #: The port on 127.0.0.1 (0: a free one).
    port: int = 0
    requests: list[Record] = field(default_factory=list)
    conversations: list[Stored] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._queue: deque[str] = deque()
        self._csid_faults: dict[str, deque[str]] = {}
        if self.era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}")
        self._by_csid: dict[str, Stored] = {}
        #: client_session_id -> the conversation id being processed under it (the claim).
        self._claims: dict[str, str] = {}
        #: E2: the conversation ids that were deleted (never made again).
        self._tombstones: set[str] = set()
        self._windows: dict[str, tuple[float, int]] = {}
        self._read_windows: dict[str, tuple[float, int]] = {}
        self._deletes_open = threading.Event()
        self._deletes_open.set()
        self._apply_held = True
        self._canned: deque[Canned] = deque()
        self._stopping = threading.Event()
        self.connections = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeOmi:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self._server.fake = self
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    # -- test controls -----------------------------------------------------------------------

    def queue(self, *faults: str) -> None:
        """Faults for the next requests that pass the rate limit (``None``-like: "ok")."""
        with self._lock:
            self._queue.extend(faults)

    def queue_for(self, csid: str, *faults: str) -> None:
        """Faults for the next requests of one conversation (by ``client_session_id``)."""
        with self._lock:
            self._csid_faults.setdefault(csid, deque()).extend(faults)

    def answer(self, *answers: Canned) -> None:
        """Serve these raw answers to the next requests that pass auth, one each."""
        with self._lock:
            self._canned.extend(answers)

    def _next_canned(self) -> Canned | None:
        with self._lock:
            return self._canned.popleft() if self._canned else None

    def by_csid(self, csid: str) -> Stored | None:
        with self._lock:
            return self._by_csid.get(csid)

    def count(
        self, path: str | None = None, status: int | None = None, method: str | None = None
    ) -> int:
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (path is None or r.path == path)
                and (status is None or r.status == status)
                and (method is None or r.method == method)
            )

    def live(self) -> list[Stored]:
        """The conversations stored and not deleted."""
        with self._lock:
            return [c for c in self.conversations if not c.deleted]

    def hold_deletes(self) -> None:
        """DELETEs that pass the rate limit wait (until :meth:`release_deletes`)."""
        self._deletes_open.clear()

    def release_deletes(self, *, apply: bool = True) -> None:
        """Let held DELETEs go on; ``apply=False`` drops their connections, deleting nothing."""
        self._apply_held = apply
        self._deletes_open.set()

    # -- behaviour ---------------------------------------------------------------------------

    def _next_fault(self, stage: str, csid: str | None = None) -> str | None:
        with self._lock:
            own = self._csid_faults.get(csid or "")
            if stage == "processing" and own:
                head = own.popleft()
                return None if head == "ok" else head
            if self._queue:
                head = self._queue[0]
                if (stage == "limiter") == (head == "limiter503"):
                    self._queue.popleft()
                    return None if head == "ok" else head
                return None
            if self.fault_rate and self._random.random() < self.fault_rate:
                pool = [f for f in self.faults if (f == "limiter503") == (stage == "limiter")]
                return self._random.choice(pool) if pool else None
            return None

    def _rate_limit(
        self, key: str, *, read: bool = False
    ) -> tuple[int, dict[str, str], Any] | None:
        now = time.monotonic()
        windows = self._read_windows if read else self._windows
        limit = self.read_limit if read else self.limit
        window_s = self.read_window_s if read else self.window_s
        with self._lock:
            start, count = windows.get(key, (now, 0))
            if now >= start + window_s:
                start, count = now, 0
            count += 1
            windows[key] = (start, count)
            if count <= limit:
                return None
            left = start + window_s - now
            shown = str(max(1, math.ceil(left))) if self.integer_retry_after else f"{left:.3f}"
            shown = self.retry_after_text or shown
            headers = {
                "Retry-After": shown,
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
            }
            return 429, headers, {"detail": f"Rate limit exceeded. Try again in {shown}s."}

    def _latency(self) -> None:
        value = self.latency_s() if callable(self.latency_s) else self.latency_s
        if value > 0:
            time.sleep(value)

    @property
    def idempotent(self) -> bool:
        """Whether ``client_session_id`` is honoured (E1 on; E0 ignores it)."""
        return self.era != "E0"

    def conversation_id(self, key: str, csid: str | None) -> str:
        """The id of a new conversation: derived from (user, client_session_id) where the era
        honours the key (``uuid5``, as Omi's ``_from_segments_conversation_id``), else random
        (``uuid4``, as E0's ``process_conversation``)."""
        if csid is not None and self.idempotent:
            return str(uuid.uuid5(_ID_NAMESPACE, f"{key}\0{csid}"))
        return str(uuid.uuid4())

    def _store(
        self,
        conversation_id: str,
        endpoint: str,
        csid: str | None,
        body: dict[str, Any],
        words: int,
        source: str,
    ) -> Stored:
        stored = Stored(
            id=conversation_id,
            endpoint=endpoint,
            client_session_id=csid,
            body=body,
            discarded=words <= 5,
            created_at=time.monotonic(),
            source=source,
            memories=source not in INTEGRATION_SOURCES,
        )
        with self._lock:
            self.conversations.append(stored)
            if csid is not None and self.idempotent:
                self._by_csid[csid] = stored
                self._claims.pop(csid, None)
        return stored

    def delete_in_app(self, conversation_id: str) -> None:
        """The user deletes the conversation in the Omi app (not through this API)."""
        with self._lock:
            self._forget(conversation_id)

    def _forget(self, conversation_id: str) -> Stored | None:
        """Delete a stored conversation (under the lock): E1 may make the same id anew from
        its client_session_id; E2 tombstones it forever."""
        stored = next(
            (c for c in self.conversations if c.id == conversation_id and not c.deleted), None
        )
        if stored is None:
            return None
        stored.deleted = True
        if stored.client_session_id is not None:
            self._by_csid.pop(stored.client_session_id, None)
        if self.era.startswith("E2"):
            self._tombstones.add(conversation_id)
        return stored


_LABEL = re.compile(r"SPEAKER_\d+")


def _loc_error(kind: str, loc: list[Any], msg: str) -> dict[str, Any]:
    return {"type": kind, "loc": ["body", *loc], "msg": msg, "input": None}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _listed(stored: Stored, transcript: bool) -> dict[str, Any]:
    """A conversation as GET lists it."""
    body = stored.body
    item: dict[str, Any] = {
        "id": stored.id,
        "created_at": body.get("started_at"),
        "started_at": body.get("started_at"),
        "finished_at": body.get("finished_at"),
        "language": body.get("language", "en"),
        "source": stored.source,
        "status": "completed",
        "discarded": stored.discarded,
        "structured": {"title": "", "overview": "", "emoji": "", "category": "other"},
    }
    if transcript:
        if stored.endpoint == TEXT:
            segments = [{"text": body["text"], "speaker_id": 0, "start": 0.0, "end": 1.0}]
        else:
            segments = body["transcript_segments"]
        item["transcript_segments"] = segments
    return item


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class _Server(ThreadingHTTPServer):
    fake: FakeOmi

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        with self.fake._lock:
            self.fake.connections += 1
        if self.fake.tls is not None:
            sock.settimeout(5)
            try:
                sock = self.fake.tls.wrap_socket(sock, server_side=True)
            except OSError:  # the client refused our certificate: socketserver drops it
                sock.close()
                raise
            sock.settimeout(None)
        return sock, address


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeOmi
    protocol_version = "HTTP/1.1"
    _key = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing ----------------------------------------------------------------------------

    def _send(
        self, record: Record, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        record.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _serve_canned(self, record: Record, canned: Canned, key: str) -> None:
        """Write ``canned`` byte for byte (a hostile server owes us no valid HTTP semantics)."""
        record.status, record.fault = canned.status, f"canned:{canned.mode}"
        self.close_connection = True
        body = canned.raw_body(key)
        headers = list(canned.headers)
        if canned.mode == "whole":
            headers.append(("Content-Length", str(len(body))))
        elif canned.mode == "endless":
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Content-Length", "100" if canned.mode == "stall" else "1000000000"))
        head = f"HTTP/1.1 {canned.status} {canned.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers
        )
        head = head.replace("{key}", key)
        stopping = self.server_state._stopping
        with contextlib.suppress(OSError):
            if canned.mode == "trickle_headers":
                self._trickle(head.encode() + b"X-Pad: " + b"a" * 100_000)
                return
            self.wfile.write(head.encode() + b"\r\n")
            self.wfile.flush()
            if canned.mode == "whole":
                self.wfile.write(body)
            elif canned.mode == "endless":
                chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
                for _ in range(16384):  # 1 GiB at most, should the client never stop reading
                    if stopping.is_set():
                        return
                    self.wfile.write(chunk)
            elif canned.mode == "trickle_body":
                self._trickle(b"x" * 100_000)
            else:  # stall
                stopping.wait(60)

    def _trickle(self, data: bytes) -> None:
        for byte in data:
            if self.server_state._stopping.wait(0.05):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _drop(self, record: Record) -> None:
        record.status = None
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _record(self, method: str, path: str) -> Record:
        record = Record(
            at=time.monotonic(),
            path=path,
            method=method,
            authorization=self.headers.get("Authorization"),
        )
        with self.server_state._lock:
            self.server_state.requests.append(record)
        return record

    def _authorized(self, record: Record, scope: str) -> str | None:
        """Auth and scope, as the server checks them: the key, or None once refused."""
        fake = self.server_state
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            self._send(
                record,
                401,
                {"detail": "Missing or invalid Authorization header. Must be 'Bearer API_KEY'"},
            )
            return None
        key = auth[len("Bearer ") :]
        if not key.startswith("omi_dev_") or key not in fake.keys:
            self._send(record, 401, {"detail": "Invalid API Key"})
            return None
        if scope not in fake.keys[key]:
            detail = f"Insufficient permissions. Required scope: {scope}"
            self._send(record, 403, {"detail": detail})
            return None
        return key

    def _limited(self, record: Record, key: str, *, read: bool = False) -> bool:
        """The limiter's faults and the fixed window; True once answered with a 503 or 429."""
        fake = self.server_state
        if fake._next_fault("limiter") == "limiter503":
            record.fault = "limiter503"
            self._send(record, 503, {"detail": "Rate limiter unavailable"})
            return True
        limited = fake._rate_limit(key, read=read)
        if limited is not None:
            status, headers, payload = limited
            self._send(record, status, payload, headers)
            return True
        return False

    def do_POST(self) -> None:
        fake = self.server_state
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = self._record("POST", self.path)
        # 1. Malformed JSON: 422 before auth.
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(
                record, 422, {"detail": [_loc_error("json_invalid", [0], "JSON decode error")]}
            )
            return
        record.body = body
        if isinstance(body, dict) and isinstance(body.get("client_session_id"), str):
            record.client_session_id = body["client_session_id"]
        # 2. Auth and scope.
        key = self._authorized(record, WRITE_SCOPE)
        if key is None:
            return
        self._key = key  # the user: conversation ids are derived per (user, client_session_id)
        canned = fake._next_canned()
        if canned is not None:
            self._serve_canned(record, canned, key)
            return
        # 3. Rate limit (counted before validation: a 422 or a replay costs a unit too).
        if self._limited(record, key):
            return
        if self.path == SEGMENTS:
            self._segments(record, body)
        elif self.path == TEXT:
            self._text(record, body)
        else:
            self._send(record, 404, {"detail": "Not Found"})

    # -- DELETE and GET ----------------------------------------------------------------------

    def do_DELETE(self) -> None:
        fake = self.server_state
        record = self._record("DELETE", self.path)
        key = self._authorized(record, WRITE_SCOPE)
        if key is None or self._limited(record, key):  # the same unit as a POST
            return
        conversation_id = self.path.removeprefix(TEXT + "/")
        if "/" in conversation_id or not conversation_id:
            self._send(record, 404, {"detail": "Not Found"})
            return
        if not fake._deletes_open.is_set():
            record.fault = "held"
            while not fake._deletes_open.wait(0.05):
                if fake._stopping.is_set():
                    return
            if not fake._apply_held:
                self._drop(record)
                return
        with fake._lock:
            stored = fake._forget(conversation_id)
        if stored is None:
            self._send(record, 404, {"detail": "Conversation not found"})
        else:
            self._send(record, 200, {"success": True})

    def do_GET(self) -> None:
        fake = self.server_state
        url = urlsplit(self.path)
        record = self._record("GET", url.path)
        key = self._authorized(record, READ_SCOPE)
        if key is None or self._limited(record, key, read=True):
            return
        query = parse_qs(url.query)
        transcript = query.get("include_transcript", ["false"])[0].lower() == "true"
        if url.path.startswith(TEXT + "/"):
            wanted = url.path.removeprefix(TEXT + "/")
            found = [c for c in fake.live() if c.id == wanted]
            with fake._lock:
                processing = wanted in fake._claims.values()
            if found:
                self._send(record, 200, _listed(found[0], transcript))
            elif processing:  # the claim's row, as Omi stores it while processing
                self._send(record, 200, {"id": wanted, "status": "processing", "discarded": False})
            else:
                self._send(record, 404, {"detail": "Conversation not found"})
            return
        if url.path != TEXT:
            self._send(record, 404, {"detail": "Not Found"})
            return
        try:
            limit = int(query.get("limit", ["25"])[0])
            offset = int(query.get("offset", ["0"])[0])
            since = _when(query.get("start_date", [None])[0]) if "start_date" in query else None
            until = _when(query.get("end_date", [None])[0]) if "end_date" in query else None
        except ValueError:
            self._send(record, 422, {"detail": "Invalid query parameters"})
            return
        listed = []
        for stored in fake.live():
            started = _when(stored.body.get("started_at"))
            if stored.discarded or started is None:
                continue
            if (since is not None and started < since) or (until is not None and started > until):
                continue
            listed.append((started, stored))
        listed.sort(key=lambda item: item[0], reverse=True)
        page = [_listed(c, transcript) for _, c in listed[offset : offset + limit]]
        self._send(record, 200, page)

    # -- from-segments -----------------------------------------------------------------------

    def _segments(self, record: Record, body: Any) -> None:
        fake = self.server_state
        errors = self._segments_schema(body)
        if errors:
            self._send(record, 422, {"detail": errors})
            return
        segs = body["transcript_segments"]
        for i, seg in enumerate(segs):
            if seg["end"] <= seg["start"]:
                detail = f"Segment {i}: end time must be after start time"
            elif seg["start"] < 0:
                detail = f"Segment {i}: start time cannot be negative"
            elif not seg["text"].strip():
                detail = f"Segment {i}: text cannot be empty"
            else:
                continue
            self._send(record, 422, {"detail": detail})
            return
        if not self._times_ok(record, body):
            return
        source = self._source(record, body)
        if source is None:
            return
        if fake.era == "E0" and any(
            not _LABEL.fullmatch(str(seg.get("speaker", "SPEAKER_00"))) for seg in segs
        ):  # E0 parsed speaker_id from the label: `Alice` failed inside processing
            self._send(record, 500, {"detail": PROCESSING_ERROR})
            return
        csid = body.get("client_session_id")
        conversation_id = fake.conversation_id(self._key, csid)
        if csid is not None and fake.idempotent:
            if conversation_id in fake._tombstones:  # E2: a deleted conversation stays deleted
                self._deleted(record, conversation_id)
                return
            with fake._lock:
                stored = fake._by_csid.get(csid)
                claimed = csid in fake._claims
                if stored is None and not claimed:
                    fake._claims[csid] = conversation_id
            if stored is not None:
                self._send(record, 200, self._answer(stored.id, "completed", stored.discarded))
                return
            if claimed:
                if fake.conflict_409:
                    self._send(record, 409, {"detail": "Conversation creation already in progress"})
                else:
                    self._send(record, 200, self._answer(conversation_id, "processing", False))
                return
        words = sum(len(s["text"].split()) for s in segs)
        if source in INTEGRATION_SOURCES and fake.era in ("E0", "E1"):
            # Processing takes the text-upload branch, finds no text, and fails.
            fake._latency()
            self._release(csid if fake.idempotent else None)
            self._send(record, 500, {"detail": PROCESSING_ERROR})
            return
        self._process(record, SEGMENTS, csid, body, words, conversation_id, source)

    def _source(self, record: Record, body: dict[str, Any]) -> str | None:
        """The source the server stores (None once answered 422): an omitted one is
        ``external_integration`` on E0 and ``phone`` later; an unknown one is refused on E0
        and stored as ``unknown`` later."""
        fake = self.server_state
        source = body.get("source")
        if source is None:
            return "external_integration" if fake.era == "E0" else "phone"
        if source in SOURCES:
            return str(source)
        if fake.era == "E0":
            self._send(
                record,
                422,
                {"detail": [_loc_error("enum", ["source"], "Input should be a valid source")]},
            )
            return None
        return "unknown"

    def _answer(self, conversation_id: str, status: str, discarded: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": conversation_id, "status": status, "discarded": discarded}
        if self.server_state.era.startswith("E2"):
            answer["meeting_treatment_eligible"] = False
        return answer

    def _deleted(self, record: Record, conversation_id: str) -> None:
        """E2's answer for the key of a deleted conversation, in either variant."""
        if self.server_state.era == "E2-410":
            detail = {"code": "conversation_deleted", "message": "Conversation was deleted"}
            self._send(record, 410, {"detail": detail})
        else:
            self._send(record, 200, self._answer(conversation_id, "deleted", True))

    def _segments_schema(self, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, dict):
            return [_loc_error("model_attributes_type", [], "Input should be a valid dictionary")]
        segs = body.get("transcript_segments")
        if not isinstance(segs, list):
            return [_loc_error("missing", ["transcript_segments"], "Field required")]
        if not segs:
            return [
                _loc_error(
                    "too_short",
                    ["transcript_segments"],
                    "List should have at least 1 item after validation, not 0",
                )
            ]
        if len(segs) > 500:
            return [
                _loc_error(
                    "too_long",
                    ["transcript_segments"],
                    f"List should have at most 500 items after validation, not {len(segs)}",
                )
            ]
        errors = []
        for i, seg in enumerate(segs):
            if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
                errors.append(
                    _loc_error(
                        "string_type",
                        ["transcript_segments", i, "text"],
                        "Input should be a valid string",
                    )
                )
            elif not (_number(seg.get("start")) and _number(seg.get("end"))):
                errors.append(
                    _loc_error(
                        "float_type",
                        ["transcript_segments", i, "start"],
                        "Input should be a valid number",
                    )
                )
        role = body.get("conversation_role")
        if self.server_state.era.startswith("E2") and role not in (None, "ambient", "meeting"):
            errors.append(
                _loc_error("enum", ["conversation_role"], "Input should be 'ambient' or 'meeting'")
            )
        csid = body.get("client_session_id")
        if csid is not None and not (
            isinstance(csid, str) and 1 <= len(csid) <= 200 and csid.strip()
        ):
            errors.append(
                _loc_error(
                    "string_too_long",
                    ["client_session_id"],
                    "client_session_id must be 1..200 characters",
                )
            )
        return errors  # fmt: skip

    def _times_ok(self, record: Record, body: dict[str, Any]) -> bool:
        """A naive datetime: E2 refuses it (422, at validation); earlier eras fail with a 500
        when it meets the aware default."""
        started = _when(body.get("started_at"))
        finished = _when(body.get("finished_at"))
        naive = [
            name
            for name, value in (("started_at", started), ("finished_at", finished))
            if value is not None and value.tzinfo is None
        ]
        if naive and self.server_state.era.startswith("E2"):
            message = "Input should have timezone info (a timezone offset is required)"
            detail = [_loc_error("timezone_aware", [name], message) for name in naive]
            self._send(record, 422, {"detail": detail})
            return False
        if naive:
            self._send(record, 500, {"detail": PROCESSING_ERROR})
            return False
        if started is not None and finished is not None and finished <= started:
            self._send(record, 422, {"detail": "finished_at must be after started_at"})
            return False
        return True

    # -- text --------------------------------------------------------------------------------

    def _text(self, record: Record, body: Any) -> None:
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            self._send(record, 422, {"detail": [_loc_error("missing", ["text"], "Field required")]})
            return
        if not 1 <= len(text) <= 100_000:
            kind = "string_too_short" if not text else "string_too_long"
            self._send(
                record,
                422,
                {"detail": [_loc_error(kind, ["text"], "text must be 1..100000 characters")]},
            )
            return
        if body.get("text_source", "other_text") not in TEXT_SOURCES:
            msg = "Input should be 'audio_transcript', 'message' or 'other_text'"
            self._send(record, 422, {"detail": [_loc_error("enum", ["text_source"], msg)]})
            return
        if not self._times_ok(record, body):
            return
        conversation_id = str(uuid.uuid4())
        self._process(
            record, TEXT, None, body, len(text.split()), conversation_id, "external_integration"
        )

    # -- processing and faults ---------------------------------------------------------------

    def _process(
        self,
        record: Record,
        endpoint: str,
        csid: str | None,
        body: dict[str, Any],
        words: int,
        conversation_id: str,
        source: str,
    ) -> None:
        fake = self.server_state
        fault = fake._next_fault("processing", csid)
        record.fault = fault
        if fault == "drop_before":
            self._release(csid)
            self._drop(record)
            return
        fake._latency()
        if fault in ("500", "503", "byok429"):
            self._release(csid)  # processing failed: the claim is released, nothing stored
            if fault == "500":
                self._send(record, 500, {"detail": PROCESSING_ERROR})
            elif fault == "503":
                self._send(
                    record,
                    503,
                    {"detail": {"code": "provider_unavailable", "message": "Provider unavailable"}},
                )
            else:
                self._send(
                    record,
                    429,
                    {
                        "detail": {
                            "code": "byok_rate_limit",
                            "message": "Your provider is rate limited",
                        }
                    },
                )
            return
        stored = fake._store(conversation_id, endpoint, csid, body, words, source)
        if fault == "504_after":
            self._send(record, 504, None)
        elif fault == "drop_after":
            self._drop(record)
        else:
            self._send(record, 200, self._answer(stored.id, "completed", stored.discarded))

    def _release(self, csid: str | None) -> None:
        if csid is not None:
            with self.server_state._lock:
                self.server_state._claims.pop(csid, None)


def main(argv: list[str] | None = None) -> int:
    """Serve a fake Omi on loopback until Ctrl-C, to try omi-import without an account."""
    parser = argparse.ArgumentParser(
        prog="python tests/support/fake_omi.py",
        description="A fake Omi on 127.0.0.1, to try imports without an account.",
    )
    parser.add_argument("--era", choices=ERAS, default="E2", help="the server version (E2)")
    parser.add_argument("--port", type=int, default=8765, help="the port (8765; 0: a free one)")
    parser.add_argument("--limit", type=int, default=25, help="writes an hour per key (25)")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with FakeOmi(era=args.era, port=args.port, limit=args.limit) as fake:
        print(f"export OMI_API_BASE_URL={fake.url} OMI_API_KEY={GOOD_KEY}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C or SIGTERM: stopped, exit 0
            while not stop.wait(0.5):
                pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
