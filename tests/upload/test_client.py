"""OmiClient with httpx.MockTransport: how each answer maps to a decision."""

from __future__ import annotations

import email.utils
import json
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from attempts import WAITS, create
from pydantic import SecretStr

from importers.conversion.payload import (
    SEGMENTS_ENDPOINT,
    TEXT_ENDPOINT,
    Conversation,
    SegmentBody,
    SegmentsRequest,
    TextRequest,
)
from importers.errors import (
    ApiError,
    AuthError,
    DeletedError,
    EndpointError,
    RejectedError,
    TransientError,
    UncertainError,
)
from importers.upload.client import OmiClient, RetryPolicy
from importers.upload.decisions import Retry
from importers.upload.pacing import Pacer

KEY = "omi_dev_" + "ab" * 16
T0 = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
OK = {"id": "conv1", "status": "completed", "discarded": False}

SEGMENTS_BODY = SegmentsRequest(
    transcript_segments=[
        SegmentBody(text="hello there", speaker="SPEAKER_00", speaker_id=0, start=0.0, end=1.5)
    ],
    started_at=T0,
    finished_at=T0 + timedelta(seconds=1.5),
    client_session_id="omi-import-abc-000",
)
SEGMENTS = Conversation(
    "omi-import-abc-000", 0, SEGMENTS_ENDPOINT, SEGMENTS_BODY.model_dump_json().encode()
)
TEXT_BODY = TextRequest(
    text="[09:30:00] Ann: hi",
    text_source="message",
    started_at=T0,
    finished_at=T0 + timedelta(seconds=1),
)
TEXT = Conversation("omi-import-def-000", 0, TEXT_ENDPOINT, TEXT_BODY.model_dump_json().encode())

Answer = httpx.Response | Exception


def make(
    answers: list[Answer], *, pacer: Pacer | None = None, attempts: int = 5
) -> tuple[OmiClient, list[httpx.Request], list[float]]:
    """A client whose transport gives ``answers`` in order; it records the requests, and
    :func:`create` the waits its retries get."""
    seen: list[httpx.Request] = []
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    policy = RetryPolicy(
        max_attempts=attempts,
        backoff_initial_s=1.0,
        backoff_max_s=8.0,
        processing_wait_s=7.0,
    )
    client = OmiClient(
        "https://api.example",
        SecretStr(KEY),
        transport=httpx.MockTransport(handler),
        pacer=pacer,
        policy=policy,
    )
    WAITS[id(client)] = sleeps
    return client, seen, sleeps


def resp(status: int, body: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate arrives as "\ud800").
    content = json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
    )


def test_success_sends_body_and_bearer_key() -> None:
    client, seen, _ = make([resp(200, {**OK, "new_field": 1})])
    created = create(client, SEGMENTS)
    assert created.id == "conv1"
    assert seen[0].url.path == "/v1/dev/user/conversations/from-segments"
    assert seen[0].headers["Authorization"] == f"Bearer {KEY}"
    assert json.loads(seen[0].content)["client_session_id"] == "omi-import-abc-000"
    assert client.stats.requests == 1


def test_read_timeout_is_at_least_180_seconds() -> None:
    client, _, _ = make([])
    assert client._http.timeout.read is not None
    assert client._http.timeout.read >= 180


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_retry_segments_with_the_same_body(status: int) -> None:
    client, seen, sleeps = make([resp(status, {"detail": "x"}), resp(200, OK)])
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2
    assert seen[0].content == seen[1].content
    assert client.stats.retries == 1
    assert 0 < sleeps[0] <= 8


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped"), httpx.ConnectError("refused")],
)
def test_transport_errors_retry_segments(error: Exception) -> None:
    client, seen, _ = make([error, resp(200, OK)])
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2


def test_409_in_progress_waits_and_asks_again() -> None:
    client, seen, sleeps = make([
        resp(409, {"detail": "Conversation creation already in progress"}),
        resp(200, OK),
    ])  # fmt: skip
    assert create(client, SEGMENTS).status == "completed"
    assert sleeps == [7.0]
    assert len(seen) == 2


def test_processing_is_an_answer_the_uploader_settles_later() -> None:
    """A replay that found the first request still at work: its id comes back, not "done"
    (the uploader looks it up by id later: tests/upload/test_eras.py)."""
    client, seen, _ = make([resp(200, {"id": "c", "status": "processing", "discarded": False})])
    created = create(client, SEGMENTS)
    assert (created.id, created.status, len(seen)) == ("c", "processing", 1)


@pytest.mark.parametrize(
    "answer",
    [
        resp(
            200,
            {
                "id": "c9",
                "status": "deleted",
                "discarded": True,
                "meeting_treatment_eligible": False,
            },
        ),
        resp(
            410, {"detail": {"code": "conversation_deleted", "message": "Conversation was deleted"}}
        ),
    ],
)
def test_the_key_of_a_deleted_conversation_is_never_created(answer: httpx.Response) -> None:
    client, seen, _ = make([answer])
    with pytest.raises(DeletedError, match="deleted in Omi") as caught:
        create(client, SEGMENTS)
    assert caught.value.conversation_id == ("c9" if answer.status_code == 200 else None)
    assert len(seen) == 1


def test_a_merged_conversation_is_rejected_not_retried() -> None:
    client, seen, _ = make(
        [resp(409, {"detail": "Conversation identity was merged, please refresh"})]
    )
    with pytest.raises(RejectedError, match="merged this conversation into another"):
        create(client, SEGMENTS)
    assert len(seen) == 1


def test_429_waits_retry_after_and_teaches_the_pacer() -> None:
    pacer = Pacer()
    headers = {"Retry-After": "0.05", "X-RateLimit-Limit": "25", "X-RateLimit-Remaining": "0"}
    client, _, sleeps = make(
        [resp(429, {"detail": "Rate limit exceeded. Try again in 1s."}, headers), resp(200, OK)],
        pacer=pacer,
    )
    assert create(client, SEGMENTS).id == "conv1"
    assert pacer.limit == 25
    assert pacer.rate_limited == 1
    assert client.stats.rate_limited == 1
    assert sleeps == [0.0]  # the pacer does the waiting (the scheduler asks it), for every job
    assert pacer.reserve(time.monotonic()) is not None  # its window is closed until the reset


def test_429_without_pacer_sleeps_retry_after() -> None:
    client, _, sleeps = make(
        [resp(429, {"detail": "slow down"}, {"Retry-After": "12"}), resp(200, OK)]
    )
    create(client, SEGMENTS)
    assert sleeps == [12.0]


def test_byok_429_backs_off_exponentially() -> None:
    byok = {"detail": {"code": "byok_rate_limit", "message": "provider limited"}}
    client, _, sleeps = make([resp(429, byok), resp(429, byok), resp(429, byok), resp(200, OK)])
    create(client, SEGMENTS)
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0] * 1.5 or sleeps[2] >= 4  # grows (jitter aside)
    assert client.stats.rate_limited == 0  # not the key's limit


@pytest.mark.parametrize("status", [400, 404, 413, 422])
def test_client_errors_are_rejected_at_once_with_the_detail(status: int) -> None:
    client, seen, _ = make([resp(status, {"detail": "Segment 3: text cannot be empty"})])
    with pytest.raises(
        RejectedError, match=rf"rejected by Omi \({status}\): Segment 3: text cannot be empty"
    ) as info:
        create(client, SEGMENTS)
    assert info.value.detail == "Segment 3: text cannot be empty"
    assert len(seen) == 1


def test_list_style_422_detail_is_one_line() -> None:
    detail = [
        {
            "type": "too_short",
            "loc": ["body", "transcript_segments"],
            "msg": "List should have at least 1 item",
        }
    ]
    client, _, _ = make([resp(422, {"detail": detail})])
    with pytest.raises(
        RejectedError, match="transcript_segments: List should have at least 1 item"
    ):
        create(client, SEGMENTS)


def test_401_says_to_check_the_key() -> None:
    client, seen, _ = make([resp(401, {"detail": "Invalid API Key"})])
    with pytest.raises(AuthError, match=r"refused \(401: Invalid API Key\)") as info:
        create(client, SEGMENTS)
    assert len(seen) == 1
    assert KEY not in str(info.value)


def test_403_says_the_key_needs_write_scope() -> None:
    client, _, _ = make(
        [resp(403, {"detail": "Insufficient permissions. Required scope: conversations:write"})]
    )
    with pytest.raises(
        AuthError, match="conversations:write scope: it can only be chosen when the key is created"
    ):
        create(client, SEGMENTS)


def test_retries_run_out_as_transient_error() -> None:
    client, seen, _ = make([resp(500, {"detail": "boom"})] * 3, attempts=3)
    with pytest.raises(TransientError, match="gave up after 3 attempts: server error: boom"):
        create(client, SEGMENTS)
    assert len(seen) == 3


@pytest.mark.parametrize(
    "answer",
    [resp(500), resp(504), resp(502), httpx.ReadTimeout("t"), httpx.RemoteProtocolError("gone"),
     httpx.Response(500, text="Internal Server Error"), resp(429, None)],
)  # fmt: skip
def test_text_endpoint_never_resends_after_an_uncertain_answer(answer: Answer) -> None:
    client, seen, _ = make([answer, resp(200, OK)])
    with pytest.raises(UncertainError, match="may or may not be in Omi"):
        create(client, TEXT)
    assert len(seen) == 1
    assert seen[0].url.path == "/v1/dev/user/conversations"


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("refused"), resp(503, {"detail": "Rate limiter unavailable"}),
     resp(429, {"detail": "Try again in 1s."}, {"Retry-After": "1", "X-RateLimit-Limit": "25"})],
)  # fmt: skip
def test_text_endpoint_retries_what_certainly_created_nothing(answer: Answer) -> None:
    client, seen, _ = make([answer, resp(200, OK)])
    assert create(client, TEXT).id == "conv1"
    assert len(seen) == 2


def test_the_key_is_scrubbed_from_server_messages() -> None:
    client, _, _ = make([resp(422, {"detail": f"bad header Bearer {KEY}"})])
    with pytest.raises(RejectedError) as info:
        create(client, SEGMENTS)
    assert KEY not in str(info.value)
    assert "***" in str(info.value)


def test_hooks_mark_sending_before_each_attempt() -> None:
    events: list[str] = []

    class Hooks:
        def sending(self) -> None:
            events.append("sending")

        def not_sent(self) -> None:
            events.append("not_sent")

    client, _, _ = make(
        [httpx.ConnectError("refused"), resp(500, {"detail": "x"}), resp(504), resp(200, OK)]
    )
    create(client, SEGMENTS, Hooks())
    # A refused connection and Omi's own processing error made nothing; a 504 may have.
    assert events == ["sending", "not_sent", "sending", "not_sent", "sending", "sending"]


@pytest.mark.parametrize(
    "answer",
    [
        resp(500, {"detail": "Error processing conversation, please try again later"}),
        resp(503, {"detail": {"code": "provider_unavailable", "message": "down"}}),
        resp(429, {"detail": {"code": "byok_rate_limit", "message": "limited"}}),
    ],
)
@pytest.mark.parametrize("body", [SEGMENTS, TEXT])
def test_a_processing_failure_stored_nothing_and_is_retried_on_either_endpoint(
    answer: httpx.Response, body: Conversation
) -> None:
    """Omi raises these before it stores anything (server-behavior.md: the claim is released),
    so even a text, or segments to a server without idempotency, may be sent again."""
    client, seen, _ = make([answer, resp(200, OK)])
    assert create(client, body).id == "conv1"
    assert len(seen) == 2
    with pytest.raises(Retry) as caught:
        make([answer])[0].attempt(body, idempotent=False)
    assert caught.value.created_nothing and caught.value.spent


# -- hostile or broken servers -------------------------------------------------------------

SECRET = KEY.removeprefix("omi_dev_")


def assert_safe(text: str) -> None:
    """No 8-character run of the secret, one line under 2,000 characters, nothing a terminal
    acts on."""
    assert not any(SECRET[i : i + 8] in text.lower() for i in range(len(SECRET) - 7)), text
    assert len(text) < 2000
    assert all(c.isprintable() for c in text), repr(text)


def failure(client: OmiClient, body: SegmentsRequest | TextRequest = SEGMENTS) -> str:
    with pytest.raises(ApiError) as info:
        create(client, body)
    text = str(info.value)
    assert_safe(text)
    assert_safe(info.value.detail or "")
    return text


@pytest.mark.parametrize(
    "detail",
    [
        "x" * 270 + f" Bearer {KEY} and more",  # 14 hex digits before the 300th character
        f"Bearer omi_dev_{SECRET[:10]}\n{SECRET[10:]}",  # split by a newline
        f"echo: {SECRET.upper()}",
        f"{SECRET[3:15]} \x1b[2J\x07 \ud800 \u202e" + "y" * 5000,
    ],
)
def test_error_details_are_scrubbed_before_they_are_cut(detail: str) -> None:
    client, _, _ = make([resp(422, {"detail": detail})])
    assert failure(client).startswith("rejected by Omi (422): ")


def test_a_reason_phrase_with_the_key_is_scrubbed() -> None:
    answer = httpx.Response(400, content=b"", extensions={"reason_phrase": f"Bad {KEY}".encode()})
    client, _, _ = make([answer])
    assert failure(client) == "rejected by Omi (400): Bad omi_dev_***"


@pytest.mark.parametrize(
    "answer",
    [
        {"id": KEY, "status": "completed", "discarded": False},  # the key echoed as the id
        {"id": "a" * 100_000, "status": "completed", "discarded": False},
        {"id": "conv\x1b[31m1", "status": "completed", "discarded": False},
        {"id": {"nested": 1}, "status": "completed", "discarded": False},
    ],
)
def test_an_id_that_is_not_sane_is_never_stored(answer: dict[str, object]) -> None:
    client, seen, _ = make([resp(200, answer)] * 2, attempts=2)
    assert "gave up after 2 attempts: an answer without a conversation id" in failure(client)
    assert len(seen) == 2
    text, _, _ = make([resp(200, answer)])
    assert "(an answer without a conversation id) after the text was sent" in failure(text, TEXT)


def test_a_status_echoing_the_key_is_scrubbed() -> None:
    client, _, _ = make([resp(200, {"id": "c1", "status": f"completed {KEY}", "discarded": False})])
    created = create(client, SEGMENTS)
    assert created.status == "completed omi_dev_***"


@pytest.mark.parametrize(
    ("raw", "expected"), [("false", False), ("TRUE", True), (False, False), (True, True)]
)
def test_discarded_as_a_string_means_what_it_says(raw: object, expected: bool) -> None:
    client, _, _ = make([resp(200, {"id": "c1", "status": "completed", "discarded": raw})])
    assert create(client, SEGMENTS).discarded is expected


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(200, text="<html>Sign in to the Wi-Fi</html>",
                        headers={"Content-Type": "text/html"}), "not JSON (text/html)"),
        (httpx.Response(200, content=b"[" * 200_000), "not JSON"),  # past the parser's depth
        (httpx.Response(200, content=b'{"id": "c", "x": "' + b"y" * 400_000 + b'"}'),
         "an answer over 256 KiB"),
        (resp(200, {"id": "c1", "status": "completed", "discarded": "maybe"}),
         "without a valid `discarded` flag"),
        (resp(200, {"id": "c1", "status": None, "discarded": False}), "without a conversation"),
        (resp(204), "not JSON"),
    ],
)  # fmt: skip
def test_a_2xx_that_is_not_a_created_conversation_is_retried(
    answer: httpx.Response, reason: str
) -> None:
    client, seen, _ = make([answer, resp(200, OK)])
    reasons: list[str] = []
    client._on_retry = reasons.append
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2
    assert reason in reasons[0]


def test_a_hostile_error_body_does_not_crash_the_detail() -> None:
    odd = [{"loc": 5, "msg": {"a": 1}}, None, {"loc": ["body", "x"], "msg": "bad"}]
    client, _, _ = make([resp(422, {"detail": odd})])
    assert failure(client) == "rejected by Omi (422): {'a': 1}; None; x: bad"
    deep, _, _ = make([httpx.Response(400, content=b"[" * 200_000)])
    assert failure(deep).startswith("rejected by Omi (400): [[[[")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_stops_the_run_and_is_never_followed(status: int) -> None:
    location = f"http://elsewhere.example/steal?k={KEY}"
    client, seen, sleeps = make([httpx.Response(status, headers={"Location": location})] * 3)
    with pytest.raises(EndpointError) as info:
        create(client, SEGMENTS)
    message = str(info.value)
    assert_safe(message)
    assert f"https://api.example answered {status}, a redirect to http://elsewhere.example/" in (
        message
    )
    assert "the API key is never sent after a redirect" in message
    assert len(seen) == 1
    assert sleeps == []


@pytest.mark.parametrize("raw", ["inf", "nan", "-5", "soon", "Wed, 99 Foo 2026 00:00:00 GMT"])
def test_retry_after_that_is_no_deadline_falls_back_to_backoff(raw: str) -> None:
    headers = {"Retry-After": raw, "X-RateLimit-Limit": "25"}
    client, seen, sleeps = make([resp(429, {"detail": "slow"}, headers), resp(200, OK)])
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 2.0  # the first backoff step (1 s + jitter), not 0 and not inf
    assert client.stats.rate_limited == 1


def test_a_pacer_treats_a_429_without_a_deadline_as_a_full_window() -> None:
    pacer = Pacer(window_s=5.0)
    headers = {"Retry-After": "nan", "X-RateLimit-Limit": "1"}
    client, _, _ = make([resp(429, {"detail": "slow"}, headers)], pacer=pacer, attempts=1)
    assert pacer.reserve(time.monotonic()) is None  # the scheduler's grant
    with pytest.raises(TransientError):
        create(client, SEGMENTS)
    wait = pacer.reserve(pacer._window_start or 0.0)  # at the window's start: all of it
    assert wait == pytest.approx(5.0 + pacer.margin_s)


@pytest.mark.parametrize("raw", ["99999999999", "1e300", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_retry_after_past_a_day_waits_a_day_and_says_so(raw: str) -> None:
    headers = {"Retry-After": raw, "X-RateLimit-Limit": "25"}
    client, _, sleeps = make([resp(429, {"detail": "slow"}, headers), resp(200, OK)])
    reasons: list[str] = []
    client._on_retry = reasons.append
    create(client, SEGMENTS)
    assert sleeps == [86_400.0]
    assert "the server asked to wait" in reasons[0]
    assert "waiting 86400 s" in reasons[0]


def test_an_http_date_retry_after_is_seconds_from_now() -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    client, _, sleeps = make([resp(429, {"detail": "slow"}, {"Retry-After": when}), resp(200, OK)])
    create(client, SEGMENTS)
    assert 85 <= sleeps[0] <= 90


@pytest.mark.parametrize("raw", ["9" * 5000, "-3", "\u00b2", "1e3", "99999999999"])
def test_rate_limit_numbers_that_are_not_sane_count_as_absent(raw: str) -> None:
    pacer = Pacer()
    headers = [(b"Retry-After", b"0"), (b"X-RateLimit-Limit", raw.encode("latin-1"))]
    limited = httpx.Response(429, content=b"{}", headers=headers)
    client, _, _ = make([limited, resp(200, OK)], pacer=pacer)
    create(client, SEGMENTS)
    assert pacer.limit is None


@pytest.mark.parametrize("status", [599, 999])
def test_odd_5xx_statuses_are_server_errors(status: int) -> None:
    client, seen, _ = make([resp(status, {"detail": "?"}), resp(200, OK)])
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2


def test_a_body_that_fails_to_decode_is_no_answer() -> None:
    def broken() -> httpx.Response:
        gzip = {"Content-Encoding": "gzip"}
        return httpx.Response(200, stream=httpx.ByteStream(b"not gzip"), headers=gzip)

    client, seen, _ = make([broken(), resp(200, OK)])
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 2
    text, _, _ = make([broken()])
    assert "no answer (an answer that could not be decoded) after the text was sent" in failure(
        text, TEXT
    )


def test_a_server_that_keeps_saying_retry_now_gets_backoff_not_a_burst() -> None:
    pacer = Pacer()
    headers = {"Retry-After": "0", "X-RateLimit-Limit": "25"}
    limited = [resp(429, {"detail": "slow"}, headers) for _ in range(3)]
    client, seen, sleeps = make([*limited, resp(200, OK)], pacer=pacer)
    assert create(client, SEGMENTS).id == "conv1"
    assert len(seen) == 4
    assert sleeps[0] == 0.0  # the first: the pacer alone waits
    assert sleeps[1] >= 2.0
    assert sleeps[2] >= 4.0


# -- the probe, DELETE, reading back, why a connection failed --------------------------------


def test_a_providers_429_answering_the_probe_settles_it() -> None:
    """The stall of issue 10: limit still being learned, the one probe answered by a BYOK 429
    (no Retry-After, no limit header). That answer comes from past Omi's limiter: the window
    is open, so the other requests go on instead of polling forever."""
    clock = [0.0]
    pacer = Pacer(clock=lambda: clock[0])
    pacer.reserve(0.0)
    pacer.rate_limited_at(0.5, retry_after=1.5, limit=5)  # a lower bound: windows get probes
    clock[0] = 2.0
    for _ in range(5):
        assert pacer.reserve(2.0) is None  # the window that began at the server's reset
    clock[0] = 4.1
    assert pacer.reserve(4.1) is None  # a window of our own: the probe
    assert pacer.reserve(4.1) == pytest.approx(0.25)  # the others wait for its answer
    byok = resp(429, {"detail": {"code": "byok_rate_limit", "message": "provider limited"}})
    client, _, _ = make([byok], pacer=pacer)
    with pytest.raises(Retry):
        client.attempt(SEGMENTS)
    assert pacer.reserve(4.2) is None  # settled: no stall


def test_delete_answers() -> None:
    client, seen, _ = make([
        resp(200, {"success": True}),
        resp(404, {"detail": "Conversation not found"}),
        resp(503, {"detail": "x"}),
        resp(403, {"detail": "Insufficient permissions. Required scope: conversations:write"}),
    ])  # fmt: skip
    assert client.delete_attempt("conv1") is True
    assert seen[0].method == "DELETE"
    assert seen[0].url.path == "/v1/dev/user/conversations/conv1"
    assert client.delete_attempt("conv1") is False  # gone already
    with pytest.raises(Retry):
        client.delete_attempt("conv1")  # a DELETE may be repeated
    with pytest.raises(AuthError, match="conversations:write"):
        client.delete_attempt("conv1")


def listed(text: str, started: datetime, conversation_id: str = "conv9") -> dict[str, object]:
    return {
        "id": conversation_id,
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "transcript_segments": [{"text": text, "start": 0.0, "end": 1.0}],
    }


def test_reading_back_finds_the_text_by_its_start_and_words() -> None:
    client, seen, _ = make([
        resp(200, [listed("someone else", T0, "other"), listed(" [09:30:00]  Ann:\nhi", T0)]),
    ])  # fmt: skip
    assert client.find_attempt(TEXT_BODY) == "conv9"
    (request,) = seen
    assert request.method == "GET"
    assert request.url.params["include_transcript"] == "true"
    assert request.url.params["start_date"] == (T0 - timedelta(seconds=1)).isoformat()
    assert request.url.params["end_date"] == (T0 + timedelta(seconds=1)).isoformat()


def test_reading_back_finds_nothing_at_another_time_or_with_other_words() -> None:
    later = T0 + timedelta(seconds=5)
    client, _, _ = make([resp(200, [listed("[09:30:00] Ann: hi", later), listed("hello", T0)])])
    assert client.find_attempt(TEXT_BODY) is None


def test_reading_back_without_the_text_listed_decides_nothing() -> None:
    client, _, _ = make([resp(200, [{"id": "conv9", "started_at": T0.isoformat()}])])
    with pytest.raises(UncertainError, match="without its text to compare"):
        client.find_attempt(TEXT_BODY)


def test_reading_back_needs_the_read_scope() -> None:
    client, _, _ = make([resp(403, {"detail": "Required scope: conversations:read"})])
    with pytest.raises(AuthError, match="may not read conversations") as info:
        client.find_attempt(TEXT_BODY)
    assert info.value.status == 403


def test_reads_are_paced_apart_from_writes() -> None:
    """A read's 429 teaches the reads' pacer, never the writes' (a budget of its own)."""
    reads, writes = Pacer(), Pacer()
    headers = {"Retry-After": "30", "X-RateLimit-Limit": "60"}
    client, _, _ = make([resp(429, {"detail": "slow"}, headers), resp(200, [])], pacer=writes)
    client.read_pacer = reads
    with pytest.raises(Retry) as limited:
        client.find_attempt(TEXT_BODY)
    assert limited.value.paced and not limited.value.spent
    assert (reads.limit, reads.rate_limited, writes.limit, writes.rate_limited) == (60, 1, None, 0)
    assert writes.reserve(time.monotonic()) is None
    assert client.find_attempt(TEXT_BODY) is None


def gaierror_chain() -> httpx.ConnectError:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    return error


def tls_chain() -> httpx.ConnectError:
    error = httpx.ConnectError("handshake")
    error.__cause__ = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    return error


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (gaierror_chain(), "DNS: the host name does not resolve"),
        (httpx.ConnectTimeout("t"), "timeout: no connection within 15 s"),
        (tls_chain(), "TLS: the handshake failed"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "ConnectError: [Errno 111]"),
    ],
)
def test_a_connection_failure_says_why(error: Exception, cause: str) -> None:
    client, _, _ = make([error])
    with pytest.raises(Retry) as info:
        client.attempt(SEGMENTS)
    assert info.value.unreachable is not None
    assert info.value.unreachable.startswith(cause)
    assert info.value.created_nothing
