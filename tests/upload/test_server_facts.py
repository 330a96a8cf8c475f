"""What the answers tell about the server (importers.upload.server), and the streak that stops a run
whose every conversation fails the same way (importers.upload.jobs.Streak)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from importers.errors import FailingError
from importers.upload.jobs import Streak
from importers.upload.ledger import Ledger
from importers.upload.server import ServerFacts, era_of_answer


@pytest.mark.parametrize(
    ("conversation_id", "newer", "keyed", "era"),
    [
        (str(uuid.uuid4()), False, True, "E0"),  # E0's process_conversation: uuid4
        (str(uuid.uuid5(uuid.NAMESPACE_URL, "u\0k")), False, True, "E1"),  # from the key
        (str(uuid.uuid5(uuid.NAMESPACE_URL, "u\0k")), True, True, "E2"),
        (str(uuid.uuid4()), True, True, "E2"),
        (str(uuid.uuid4()), False, False, None),  # no key sent: the id says nothing
        ("conv_123", False, True, None),  # not a UUID: unknown
        (str(uuid.uuid1()), False, True, None),
    ],
)
def test_the_era_an_answer_shows(
    conversation_id: str, newer: bool, keyed: bool, era: str | None
) -> None:
    assert era_of_answer(conversation_id, newer=newer, keyed=keyed) == era


def test_what_is_learned_is_kept_per_base_url(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        facts = ServerFacts(ledger, "http://omi.local:8000")
        assert (facts.era, facts.idempotent) == (None, False)
        assert facts.describe().startswith("era not known yet")
        facts.learn("E2")
        facts.learn("E1")  # an id alone cannot tell E1 from E2: it stays E2
        facts.learn(None)
    with Ledger.open(tmp_path) as ledger:
        again = ServerFacts(ledger, "http://omi.local:8000")
        assert (again.era, again.idempotent) == ("E2", True)
        assert again.describe().startswith(
            "E2 (as earlier imports' answers showed): honours client_session_id and remembers"
        )
        assert ServerFacts(ledger, "http://other:8000").era is None
        again.learn("E0")  # the server was replaced by an older one
        assert (again.era, again.idempotent) == ("E0", False)


def test_omis_hosted_server_is_known_without_asking(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        hosted = ServerFacts(ledger, "https://api.omi.me")
        assert hosted.era == "E2"
        assert hosted.describe().startswith("E2 (Omi's hosted server): ")
        assert ServerFacts(ledger, "https://api.omi.me/").idempotent


def test_the_streak_stops_on_the_third_conversation_only() -> None:
    streak = Streak(3)
    assert streak.failed("a", 500, "boom") is None
    assert streak.failed("a", 500, "boom") is None  # the same conversation again: still one
    assert streak.failed("b", 500, "boom") is None
    stop = streak.failed("c", 500, "boom")
    assert isinstance(stop, FailingError)
    assert str(stop).startswith("Omi answered 500 (boom) for 3 conversations in a row: ")
    assert streak.failed("d", 500, "boom") is None  # said once


def test_a_success_or_another_failure_starts_the_count_again() -> None:
    streak = Streak(3)
    streak.failed("a", 500, "boom")
    streak.failed("b", 500, "boom")
    streak.succeeded()
    assert streak.failed("c", 500, "boom") is None
    assert streak.failed("d", 503, "provider") is None
    assert streak.failed("e", 500, "boom") is None
    assert streak.failed("f", 500, "boom") is None
    byok = Streak(2)
    byok.failed("a", 429, "model provider rate limited: x")
    stop = byok.failed("b", 429, "model provider rate limited: x")
    assert stop is not None and "bring-your-own-key" in str(stop)
