"""The fake server's DELETE and GET behave like Omi's: scopes, budgets, 404s, filters."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fake_omi import GOOD_KEY, READ_ONLY_KEY, SEGMENTS, TEXT, WRITE_ONLY_KEY, FakeOmi

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
WORDS = "hello there, this is long enough not to be discarded"
CHAT = "a chat line, long enough not to be discarded either"


def segments(csid: str, started: datetime = T0) -> dict[str, object]:
    return {
        "transcript_segments": [{"text": WORDS, "start": 0.0, "end": 1.0}],
        "started_at": started.isoformat(),
        "client_session_id": csid,
    }


def client(fake: FakeOmi, key: str = GOOD_KEY) -> httpx.Client:
    return httpx.Client(base_url=fake.url, headers={"Authorization": f"Bearer {key}"})


def test_delete_costs_a_write_unit_and_answers_404_for_unknown_ids() -> None:
    with FakeOmi(limit=2) as fake, client(fake) as http:
        made = http.post(SEGMENTS, json=segments("a")).json()
        assert http.delete(f"{TEXT}/{made['id']}").json() == {"success": True}
        assert http.delete(f"{TEXT}/{made['id']}").status_code == 429  # the third write
        assert not fake.live()
    with FakeOmi() as fake, client(fake) as http:
        gone = http.delete(f"{TEXT}/nope")
        assert (gone.status_code, gone.json()) == (404, {"detail": "Conversation not found"})


def test_delete_needs_the_write_scope() -> None:
    with FakeOmi() as fake, client(fake, READ_ONLY_KEY) as http:
        refused = http.delete(f"{TEXT}/x")
        assert refused.status_code == 403
        assert "conversations:write" in refused.json()["detail"]


def test_e0_ignores_the_session_id_and_every_request_makes_another_conversation() -> None:
    with FakeOmi(era="E0") as fake, client(fake) as http:
        body = {**segments("a"), "source": "phone"}
        ids = [http.post(SEGMENTS, json=body).json()["id"] for _ in range(2)]
        assert ids[0] != ids[1]
        assert [uuid.UUID(i).version for i in ids] == [4, 4]
        assert len(fake.live()) == 2


def test_e1_makes_a_deleted_conversation_again_under_the_same_id() -> None:
    with FakeOmi(era="E1") as fake, client(fake) as http:
        first = http.post(SEGMENTS, json=segments("a")).json()
        assert uuid.UUID(first["id"]).version == 5
        assert "meeting_treatment_eligible" not in first
        http.delete(f"{TEXT}/{first['id']}")
        again = http.post(SEGMENTS, json=segments("a")).json()
        assert (again["id"], again["status"]) == (first["id"], "completed")
        assert [c.id for c in fake.live()] == [first["id"]]


@pytest.mark.parametrize("how", ["api", "app"])
def test_e2_answers_the_key_of_a_deleted_conversation_deleted_forever(how: str) -> None:
    with FakeOmi(era="E2") as fake, client(fake) as http:
        first = http.post(SEGMENTS, json=segments("a")).json()
        assert first["meeting_treatment_eligible"] is False
        if how == "api":
            http.delete(f"{TEXT}/{first['id']}")
        else:
            fake.delete_in_app(first["id"])
        for _ in range(2):
            again = http.post(SEGMENTS, json=segments("a")).json()
            assert again == {
                "id": first["id"],
                "status": "deleted",
                "discarded": True,
                "meeting_treatment_eligible": False,
            }
        assert not fake.live()


def test_e2_410_variant() -> None:
    with FakeOmi(era="E2-410") as fake, client(fake) as http:
        first = http.post(SEGMENTS, json=segments("a")).json()
        fake.delete_in_app(first["id"])
        gone = http.post(SEGMENTS, json=segments("a"))
        assert gone.status_code == 410
        assert gone.json()["detail"]["code"] == "conversation_deleted"


@pytest.mark.parametrize(
    ("era", "source", "status", "stored"),
    [
        ("E0", None, 500, None),  # omitted means external_integration there
        ("E0", "external_integration", 500, None),
        ("E0", "workflow", 500, None),
        ("E0", "no-such-source", 422, None),
        ("E0", "phone", 200, ("phone", True)),
        ("E1", None, 200, ("phone", True)),
        ("E1", "external_integration", 500, None),
        ("E1", "no-such-source", 200, ("unknown", True)),
        ("E2", None, 200, ("phone", True)),
        ("E2", "external_integration", 200, ("external_integration", False)),
        ("E2", "workflow", 200, ("workflow", False)),
        ("E2", "unknown", 200, ("unknown", True)),
    ],
)
def test_sources_by_era(
    era: str, source: str | None, status: int, stored: tuple[str, bool] | None
) -> None:
    """server-behavior.md's Sources table: what each era makes of each source."""
    body = segments("a") if source is None else {**segments("a"), "source": source}
    with FakeOmi(era=era) as fake, client(fake) as http:
        answer = http.post(SEGMENTS, json=body)
        assert answer.status_code == status
        assert [(c.source, c.memories) for c in fake.live()] == ([stored] if stored else [])


@pytest.mark.parametrize(("era", "status"), [("E0", 500), ("E1", 500), ("E2", 422)])
def test_a_naive_datetime_by_era(era: str, status: int) -> None:
    naive = {**segments("a"), "started_at": "2026-03-02T14:00:00"}
    with FakeOmi(era=era) as fake, client(fake) as http:
        assert http.post(SEGMENTS, json=naive).status_code == status
        chat = {"text": CHAT, "started_at": "2026-03-02T14:00:00"}
        assert http.post(TEXT, json=chat).status_code == status
        assert not fake.live()


def test_e0_fails_on_a_speaker_label_that_is_a_name() -> None:
    named = {
        **segments("a"),
        "source": "phone",
        "transcript_segments": [{"text": WORDS, "speaker": "Alice", "start": 0.0, "end": 1.0}],
    }
    with FakeOmi(era="E0") as fake, client(fake) as http:
        assert http.post(SEGMENTS, json=named).status_code == 500
    with FakeOmi(era="E1") as fake, client(fake) as http:
        assert http.post(SEGMENTS, json=named).status_code == 200


def test_a_replay_while_processing_answers_processing_with_the_real_id() -> None:
    """The second request finds the first one's claim; GET by id shows the claim's row."""
    with FakeOmi(latency_s=0.5) as fake, client(fake) as http:
        box: dict[str, object] = {}
        first = threading.Thread(
            target=lambda: box.update(a=http.post(SEGMENTS, json=segments("a")).json())
        )
        first.start()
        time.sleep(0.2)
        replay = http.post(SEGMENTS, json=segments("a")).json()
        assert replay["status"] == "processing"
        row = http.get(f"{TEXT}/{replay['id']}").json()
        assert (row["id"], row["status"]) == (replay["id"], "processing")
        first.join()
        assert box["a"]["id"] == replay["id"]  # type: ignore[index]
        done = http.get(f"{TEXT}/{replay['id']}").json()
        assert done["status"] == "completed"


def test_get_needs_the_read_scope_and_has_its_own_budget() -> None:
    with FakeOmi(limit=1, read_limit=2) as fake:
        with client(fake, WRITE_ONLY_KEY) as http:
            assert http.get(TEXT).status_code == 403
        with client(fake) as http:
            http.post(SEGMENTS, json=segments("a"))  # the write budget is spent
            assert http.get(TEXT).status_code == 200
            assert http.get(TEXT).status_code == 200
            limited = http.get(TEXT)
            assert limited.status_code == 429
            assert limited.headers["X-RateLimit-Limit"] == "2"


def test_get_lists_by_start_date_newest_first_with_transcripts_on_request() -> None:
    """Completed, non-discarded ones only (the discarded short one is not listed)."""
    with FakeOmi() as fake, client(fake) as http:
        for i in range(3):
            http.post(SEGMENTS, json=segments(f"s{i}", T0 + timedelta(hours=i)))
        short = {**segments("short"), "transcript_segments": [{"text": "hi", "start": 0, "end": 1}]}
        http.post(SEGMENTS, json=short)
        http.post(TEXT, json={"text": CHAT, "started_at": T0.isoformat()})
        window = {
            "start_date": T0.isoformat(),
            "end_date": (T0 + timedelta(hours=1)).isoformat(),
        }
        listed = http.get(TEXT, params=window).json()
        assert [item["started_at"] for item in listed][:1] == [
            (T0 + timedelta(hours=1)).isoformat()
        ]
        assert len(listed) == 3
        assert "transcript_segments" not in listed[0]
        full = http.get(TEXT, params={**window, "include_transcript": "true"}).json()
        texts = sorted(s["text"] for item in full for s in item["transcript_segments"])
        assert texts == [CHAT, WORDS, WORDS]
        one = http.get(f"{TEXT}/{full[0]['id']}").json()
        assert one["id"] == full[0]["id"]
        assert http.get(f"{TEXT}/nope").status_code == 404
