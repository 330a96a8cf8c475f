"""OmiClient with httpx.MockTransport: how each answer maps to a decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from importers.client import OmiClient, RetryPolicy
from importers.errors import AuthError, RejectedError, TransientError, UncertainError
from importers.pacing import Pacer
from importers.payload import (
    SEGMENTS_ENDPOINT,
    TEXT_ENDPOINT,
    Conversation,
    SegmentBody,
    SegmentsRequest,
    TextRequest,
)

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
    """A client whose transport gives ``answers`` in order and records requests and sleeps."""
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
        sleep=sleeps.append,
    )
    client = OmiClient(
        "https://api.example",
        SecretStr(KEY),
        transport=httpx.MockTransport(handler),
        pacer=pacer,
        policy=policy,
    )
    return client, seen, sleeps


def resp(status: int, body: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def test_success_sends_body_and_bearer_key() -> None:
    client, seen, _ = make([resp(200, {**OK, "new_field": 1})])
    created = client.create(SEGMENTS)
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
    assert client.create(SEGMENTS).id == "conv1"
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
    assert client.create(SEGMENTS).id == "conv1"
    assert len(seen) == 2


def test_processing_and_409_wait_and_ask_again() -> None:
    client, seen, sleeps = make([
        resp(200, {"id": "c", "status": "processing", "discarded": False}),
        resp(409, {"detail": "Conversation creation already in progress"}),
        resp(200, OK),
    ])  # fmt: skip
    assert client.create(SEGMENTS).status == "completed"
    assert sleeps == [7.0, 7.0]
    assert len(seen) == 3


def test_429_waits_retry_after_and_teaches_the_pacer() -> None:
    pacer = Pacer()
    headers = {"Retry-After": "0.05", "X-RateLimit-Limit": "25", "X-RateLimit-Remaining": "0"}
    client, _, sleeps = make(
        [resp(429, {"detail": "Rate limit exceeded. Try again in 1s."}, headers), resp(200, OK)],
        pacer=pacer,
    )
    assert client.create(SEGMENTS).id == "conv1"
    assert pacer.limit == 25
    assert pacer.rate_limited == 1
    assert client.stats.rate_limited == 1
    assert sleeps == [0.0]  # the pacer does the waiting, for every thread
    assert pacer.waited_s > 0


def test_429_without_pacer_sleeps_retry_after() -> None:
    client, _, sleeps = make(
        [resp(429, {"detail": "slow down"}, {"Retry-After": "12"}), resp(200, OK)]
    )
    client.create(SEGMENTS)
    assert sleeps == [12.0]


def test_byok_429_backs_off_exponentially() -> None:
    byok = {"detail": {"code": "byok_rate_limit", "message": "provider limited"}}
    client, _, sleeps = make([resp(429, byok), resp(429, byok), resp(429, byok), resp(200, OK)])
    client.create(SEGMENTS)
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0] * 1.5 or sleeps[2] >= 4  # grows (jitter aside)
    assert client.stats.rate_limited == 0  # not the key's limit


@pytest.mark.parametrize("status", [400, 404, 413, 422])
def test_client_errors_are_rejected_at_once_with_the_detail(status: int) -> None:
    client, seen, _ = make([resp(status, {"detail": "Segment 3: text cannot be empty"})])
    with pytest.raises(
        RejectedError, match=rf"rejected by Omi \({status}\): Segment 3: text cannot be empty"
    ) as info:
        client.create(SEGMENTS)
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
        client.create(SEGMENTS)


def test_401_says_to_check_the_key() -> None:
    client, seen, _ = make([resp(401, {"detail": "Invalid API Key"})])
    with pytest.raises(AuthError, match=r"refused \(401: Invalid API Key\)") as info:
        client.create(SEGMENTS)
    assert len(seen) == 1
    assert KEY not in str(info.value)


def test_403_says_the_key_needs_write_scope() -> None:
    client, _, _ = make(
        [resp(403, {"detail": "Insufficient permissions. Required scope: conversations:write"})]
    )
    with pytest.raises(
        AuthError, match="conversations:write scope: it can only be chosen when the key is created"
    ):
        client.create(SEGMENTS)


def test_retries_run_out_as_transient_error() -> None:
    client, seen, _ = make([resp(500, {"detail": "boom"})] * 3, attempts=3)
    with pytest.raises(TransientError, match="gave up after 3 attempts: server error: boom"):
        client.create(SEGMENTS)
    assert len(seen) == 3


@pytest.mark.parametrize(
    "answer",
    [resp(500, {"detail": "x"}), resp(504), resp(502), httpx.ReadTimeout("t"),
     httpx.RemoteProtocolError("gone"), resp(429, {"detail": {"code": "byok_rate_limit"}})],
)  # fmt: skip
def test_text_endpoint_never_resends_after_an_uncertain_answer(answer: Answer) -> None:
    client, seen, _ = make([answer, resp(200, OK)])
    with pytest.raises(UncertainError, match="may or may not be in Omi"):
        client.create(TEXT)
    assert len(seen) == 1
    assert seen[0].url.path == "/v1/dev/user/conversations"


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("refused"), resp(503, {"detail": "Rate limiter unavailable"}),
     resp(429, {"detail": "Try again in 1s."}, {"Retry-After": "1", "X-RateLimit-Limit": "25"})],
)  # fmt: skip
def test_text_endpoint_retries_what_certainly_created_nothing(answer: Answer) -> None:
    client, seen, _ = make([answer, resp(200, OK)])
    assert client.create(TEXT).id == "conv1"
    assert len(seen) == 2


def test_the_key_is_scrubbed_from_server_messages() -> None:
    client, _, _ = make([resp(422, {"detail": f"bad header Bearer {KEY}"})])
    with pytest.raises(RejectedError) as info:
        client.create(SEGMENTS)
    assert KEY not in str(info.value)
    assert "***" in str(info.value)


def test_hooks_mark_sending_before_each_attempt() -> None:
    events: list[str] = []

    class Hooks:
        def sending(self) -> None:
            events.append("sending")

        def not_sent(self) -> None:
            events.append("not_sent")

    client, _, _ = make([httpx.ConnectError("refused"), resp(500, {"detail": "x"}), resp(200, OK)])
    client.create(SEGMENTS, Hooks())
    assert events == ["sending", "not_sent", "sending", "sending"]
