"""What omi-import has learned about the Omi server it talks to, from the answers it got.

Omi's server is not one version (server-behavior.md, "Server eras"), and self-hosted backends
lag the hosted one. What differs for an importer:

=====  ======================================================  ===============================
era    what matters                                            how an answer shows it
=====  ======================================================  ===============================
E0     ``client_session_id`` ignored: a request sent again     the id of a created conversation
       after its answer was lost may make a second             is a random UUID (version 4)
       conversation
E1     idempotent: a retry returns the conversation made       the id is derived from the key
       under the same key; a deleted one is made again         (a version-5 UUID)
E2     idempotent; a deleted conversation's key is answered    ``meeting_treatment_eligible``
       ``deleted`` (or 410) forever                            in the answer; a ``deleted``
                                                               answer; 410
=====  ======================================================  ===============================

Until an answer has shown that the server honours the key, a request whose answer was lost is
read back before it is sent again (as a text conversation always is). Omi's hosted server
(:data:`HOSTED`) runs the newest backend, E2 since September 2026, so it is known from the
start; any other base URL (a self-hosted backend, which may lag) is learned from its answers.
Nothing here can be learned without writing: a read (``doctor --online``) shows neither
idempotency nor what a deleted key gets. What was learned is kept in the ledger, per base URL,
for the next run.
"""

from __future__ import annotations

import threading
import uuid
from typing import Literal, Protocol

Era = Literal["E0", "E1", "E2"]
#: Servers whose era is known without asking: Omi's hosted API.
HOSTED: dict[str, Era] = {"https://api.omi.me": "E2"}
#: What each era means for the user, as doctor and docs/importing.md say it.
ERA_NOTES: dict[Era, str] = {
    "E0": "ignores client_session_id (before mid-2026): an upload whose answer is lost is read "
    "back before it is sent again",
    "E1": "honours client_session_id (mid-2026 or later): a retry never duplicates",
    "E2": "honours client_session_id and remembers deletions (September 2026 or later): a "
    "conversation deleted in Omi is imported again only under a new key",
}


#: What only a write shows, whatever is known of the era (doctor says it).
WRITE_ONLY = "whether its processing succeeds and its write limit show only on a write"


class Meta(Protocol):
    """Where the facts are kept between runs (the ledger's ``meta`` table)."""

    def get_meta(self, name: str) -> str | None: ...

    def set_meta(self, name: str, value: str) -> None: ...


def era_of_answer(conversation_id: str, *, newer: bool, keyed: bool) -> Era | None:
    """The era an answer to a create shows, if any: ``newer`` fields are E2's; the id of a
    conversation made under a ``client_session_id`` (``keyed``) is derived from it from E1 on
    (a version-5 UUID) and random before (version 4)."""
    if newer:
        return "E2"
    if not keyed:
        return None
    try:
        version = uuid.UUID(conversation_id).version
    except ValueError:
        return None
    if version == 4:
        return "E0"
    return "E1" if version == 5 else None


class ServerFacts:
    """The era learned for one base URL (thread-safe; saved when it changes)."""

    def __init__(self, meta: Meta, base_url: str) -> None:
        self._meta, self._name = meta, f"server_era {base_url}"
        found = meta.get_meta(self._name)
        learned: Era | None = found if found in ("E0", "E1", "E2") else None  # type: ignore[assignment]
        self._hosted = learned is None and base_url.rstrip("/") in HOSTED
        self._era = learned or HOSTED.get(base_url.rstrip("/"))
        self._lock = threading.Lock()

    @property
    def era(self) -> Era | None:
        return self._era

    @property
    def idempotent(self) -> bool:
        """Known to honour ``client_session_id`` (E1 or E2): sending again is safe."""
        return self._era in ("E1", "E2")

    def learn(self, era: Era | None) -> None:
        """What an answer showed. E2 stays E2 on an answer that only shows E1 (the id alone
        cannot tell them apart); E0 replaces anything (the server was replaced by an old one,
        or never was newer)."""
        if era is None:
            return
        with self._lock:
            if era == self._era or (era == "E1" and self._era == "E2"):
                return
            self._era, self._hosted = era, False
        self._meta.set_meta(self._name, era)

    def describe(self) -> str:
        """One line for ``doctor``: the era, and how it is known."""
        if self._era is None:
            return (
                "era not known yet: the first import's answers show whether it honours "
                "client_session_id and what a deleted conversation's key gets (no read can "
                "show either); until then a lost answer is read back before a resend"
            )
        how = "Omi's hosted server" if self._hosted else "as earlier imports' answers showed"
        return f"{self._era} ({how}): {ERA_NOTES[self._era]}"
