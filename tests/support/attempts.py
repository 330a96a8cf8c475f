"""Driving the client's attempts in tests (importable helpers).

:func:`create` makes one conversation's attempts as the scheduler does, without its waits, to
test what each answer decides; :func:`scheduled` sends through the real
:class:`~importers.upload.scheduler.Scheduler`, waits and pacing included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from importers.conversion.payload import Conversation
from importers.errors import TransientError
from importers.upload.client import OmiClient
from importers.upload.decisions import Created, Retry
from importers.upload.intake import Job
from importers.upload.pacing import Pacer
from importers.upload.scheduler import Scheduler

#: The waits the retry rule gave each client's retries (by ``id(client)``), in order.
WAITS: dict[int, list[float]] = {}


def create(client: OmiClient, conversation: Conversation, hooks: Any = None) -> Created:
    """Attempts of one conversation as the scheduler makes them (importers.upload.scheduler),
    without its waits: each :class:`Retry` counts one retry and its wait (``client.retry_wait``)
    goes into ``WAITS[id(client)]``; the first attempt that returns, or raises anything else, ends
    it; ``policy.max_attempts`` attempts give up. The scheduler's own timing is tested through
    :func:`scheduled`, tests/upload/test_scheduler.py and the fake server; this is what each answer
    decides."""
    attempts = 0
    while True:
        try:
            return client.attempt(conversation, hooks)
        except Retry as exc:
            attempts += 1
            if attempts >= client.policy.max_attempts:
                raise client.gave_up(exc, attempts) from None
            client.retried(exc.reason)
            WAITS.setdefault(id(client), []).append(client.retry_wait(exc, attempts))


@dataclass(eq=False)
class Sending:
    """A job that creates one conversation and keeps what came of it."""

    client: OmiClient
    conversation: Conversation
    outcome: list[Created | TransientError] = field(default_factory=list)
    write = True
    optional = False
    attempts: int = 0
    failures: int = 0
    spent: int = 0
    not_before: float = 0.0

    @property
    def label(self) -> str:
        return self.conversation.key

    def attempt(self) -> list[Job]:
        self.outcome.append(self.client.attempt(self.conversation))
        return []

    def gave_up(self, error: TransientError) -> None:
        self.outcome.append(error)


def scheduled(
    client: OmiClient, pacer: Pacer, conversations: Sequence[Conversation]
) -> tuple[Scheduler, list[Sending]]:
    """A scheduler (``scheduler.run()`` runs it) that sends ``conversations`` one at a time,
    and their jobs, whose ``outcome`` is filled in as each ends."""
    scheduler = Scheduler(client, pacer, cap=1)
    jobs = [Sending(client, c) for c in conversations]
    scheduler.add(jobs)
    return scheduler, jobs
