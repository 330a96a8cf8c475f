"""The fake server's DELETE and GET behave like Omi's: scopes, budgets, 404s, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
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


def test_a_deleted_conversation_can_be_made_again_with_its_session_id() -> None:
    with FakeOmi() as fake, client(fake) as http:
        first = http.post(SEGMENTS, json=segments("a")).json()["id"]
        http.delete(f"{TEXT}/{first}")
        again = http.post(SEGMENTS, json=segments("a")).json()["id"]
        assert again != first
        assert [c.id for c in fake.live()] == [again]


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
