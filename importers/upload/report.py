"""What an import did: per input, per conversation, and totals; as JSON (``--report``) or text.

The JSON report::

    {
      "ok": false,
      "stopped": null,
      "run": 4,
      "inputs": [
        {"path": "talks/a.srt", "status": "done", "format": "srt", "sha256": "...",
         "error": null,
         "conversations": [
           {"client_session_id": "omi-import-...-000", "index": 0, "endpoint": "...",
            "id": "conv_123", "status": "done", "discarded": false, "sent_now": true,
            "attempts": 1, "error": null}]},
        {"path": "notes.pdf", "status": "unsupported", "error": "unsupported file type", ...}
      ],
      "deleted": [
        {"path": "talks/a.srt", "index": 0, "id": "conv_100", "status": "deleted",
         "error": null}],
      "totals": {"inputs": 2, "conversations": 1, "done": 1, "failed": 0, "uncertain": 0,
                 "pending": 0, "deleted": 1, "requests": 2, "retries": 0, "rate_limited": 0,
                 "waited_s": 0.0, "elapsed_s": 12.3}
    }

Input status: ``done`` (every conversation is in Omi), ``failed`` (it could not be read, or Omi
rejected a conversation), ``uncertain``, ``incomplete`` (some not sent yet: stopped, or the
server kept failing), ``exists`` (held back: another import of the same recording is in Omi,
``error`` says which; ``--replace`` replaces it), ``deleted in Omi`` (a conversation of it was
deleted in Omi, not by omi-import, and is not made again: conversation status ``gone``;
``--reimport-deleted`` imports it again), ``unsupported`` (skipped: no adapter for it, or a
missing optional extra; not an error). ``deleted`` lists the conversations this run deleted
(replaced ones, or with ``omi-import delete``), or tried to (``status`` ``deleting``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from importers.wording import count as counted
from importers.wording import duration

InputStatus = Literal[
    "done", "failed", "uncertain", "incomplete", "exists", "unsupported", "deleted in Omi"
]


#: Reasons a file is skipped, as a summary groups them (by how the reason starts; any other
#: reason is its own group).
SKIP_KINDS = (
    ("modified ", "outside --since/--until"),
    ("not recognised", "not recognised as a transcript"),
)


def skip_kind(reason: str) -> str:
    """The group a skipped file's reason falls in (the reason itself when none)."""
    return next((kind for start, kind in SKIP_KINDS if reason.startswith(start)), reason)


@dataclass
class ConversationResult:
    client_session_id: str
    index: int
    endpoint: str
    status: str
    id: str | None = None
    discarded: bool | None = None
    sent_now: bool = False
    attempts: int = 0
    error: str | None = None


@dataclass
class InputResult:
    path: str
    status: InputStatus
    format: str | None = None
    sha256: str | None = None
    error: str | None = None
    conversations: list[ConversationResult] = field(default_factory=list)


@dataclass
class DeletionResult:
    path: str
    index: int
    id: str | None
    status: str
    error: str | None = None


@dataclass
class Totals:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_s: float = 0.0
    elapsed_s: float = 0.0


@dataclass
class Report:
    inputs: list[InputResult] = field(default_factory=list)
    deleted: list[DeletionResult] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    stopped: str | None = None
    run: int | None = None

    @property
    def conversations(self) -> list[ConversationResult]:
        return [c for i in self.inputs for c in i.conversations]

    def count(self, status: str) -> int:
        return sum(1 for c in self.conversations if c.status == status)

    @property
    def deleted_count(self) -> int:
        """Conversations this run deleted from Omi."""
        return sum(1 for d in self.deleted if d.status == "deleted")

    @property
    def ok(self) -> bool:
        """Everything asked for is in Omi (unsupported files skipped in folders do not count)."""
        return (
            self.stopped is None
            and all(i.status in ("done", "unsupported") for i in self.inputs)
            and all(d.status == "deleted" for d in self.deleted)
        )

    def to_dict(self) -> dict[str, object]:
        totals = {
            "inputs": len(self.inputs),
            "conversations": len(self.conversations),
            **{
                s: self.count(s)
                for s in ("done", "failed", "uncertain", "pending", "sending", "gone")
            },
            "deleted": self.deleted_count,
            **asdict(self.totals),
        }
        totals["waited_s"] = round(self.totals.waited_s, 3)
        totals["elapsed_s"] = round(self.totals.elapsed_s, 3)
        return {
            "ok": self.ok,
            "stopped": self.stopped,
            "run": self.run,
            "inputs": [asdict(i) for i in self.inputs],
            "deleted": [asdict(d) for d in self.deleted],
            "totals": totals,
        }

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def summary(self, *, listed: bool = False, inputs: Sequence[str] = ()) -> list[str]:
        """The lines printed at the end of an import.

        Args:
            listed: each file and conversation that failed, was held back, is uncertain or was
                deleted in Omi was already said, as it happened (the progress lines): the
                summary then counts them instead of saying them again.
            inputs: the files and folders as the user named them (for "no transcripts found
                in ...").
        """
        convs = self.conversations
        done = self.count("done")
        sent_now = sum(1 for c in convs if c.sent_now and c.status == "done")
        discarded = sum(1 for c in convs if c.status == "done" and c.discarded)
        lines = [] if listed else self._problems()
        for d in self.deleted:
            if d.status != "deleted":
                lines.append(f"not deleted yet: {d.path} #{d.index + 1} ({d.id}): {d.error}")
        if (
            not convs
            and not self.deleted
            and self.stopped is None
            and all(i.status == "unsupported" for i in self.inputs)
        ):
            lines.append(self._nothing_found(inputs))
            return lines
        deleted = self.deleted_count
        lines.append(
            f"{done} of {counted(len(convs), 'conversation')} in Omi ({sent_now} new, "
            f"{done - sent_now} already there"
            + (f", {discarded} discarded by Omi as too short" if discarded else "")
            + (f"; {counted(deleted, 'old one')} deleted" if deleted else "")
            + f"); {self._traffic(rate_limited=True)}"
        )
        failed_inputs = sum(1 for i in self.inputs if i.status == "failed" and not i.conversations)
        extra = []
        if failed_inputs:
            extra.append(f"{counted(failed_inputs, 'file')} could not be read")
        shown = {"pending": "not sent yet", "sending": "not sent yet", "gone": "deleted in Omi"}
        for status in ("failed", "uncertain", "pending", "sending", "gone"):
            n = self.count(status)
            if n:
                extra.append(f"{n} {shown.get(status, status)}")
        held = sum(1 for i in self.inputs if i.status == "exists")
        if held:
            extra.append(f"{counted(held, 'file')} held back: already in Omi from another import")
        if skipped := self._skipped():
            extra.append(skipped)
        if extra:
            lines.append("; ".join(extra))
        if self.count("uncertain"):
            lines.append(
                "uncertain: these may already be in Omi (sent where a second request could make a "
                "second conversation: a chat, or a server not known to honour client_session_id); "
                "a re-run looks them up in Omi (a key that may read conversations) and sends only "
                "the missing ones; without read access, check the app, then re-run with "
                "--resend-uncertain to send them again"
            )
        if held:
            lines.append(
                "held back: add --replace to replace what is in Omi with this import (the old "
                "conversation is deleted once the new one is in); `omi-import list` shows it"
            )
        if self.count("failed"):
            lines.append(
                "`omi-import status` shows the reasons; --retry-failed sends failed ones again"
            )
        if self.count("gone"):
            lines.append(
                "deleted in Omi: deleted there (in the app), not by omi-import, and Omi will not "
                "make them again under their keys; add --reimport-deleted to import them again"
            )
        return lines

    def _problems(self) -> list[str]:
        """One line per file and conversation that is not in Omi as asked."""
        lines = []
        for item in self.inputs:
            if item.status in ("failed", "exists") and item.error:
                lines.append(
                    f"{'failed' if item.status == 'failed' else 'held back'}: {item.error}"
                )
            for c in item.conversations:
                if c.status in ("failed", "uncertain", "gone") or (c.status != "done" and c.error):
                    state = "deleted in Omi" if c.status == "gone" else c.status
                    lines.append(
                        f"{state}: {item.path} #{c.index + 1} ({c.client_session_id}): {c.error}"
                    )
        return lines

    def _skipped(self) -> str:
        """``12 files skipped: 9 not recognised, 3 outside --since/--until`` (by reason; each file
        is listed only with ``-v``), or ''."""
        reasons = Counter(
            skip_kind(i.error or "") for i in self.inputs if i.status == "unsupported"
        )
        if not reasons:
            return ""
        by_reason = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
        return f"{counted(reasons.total(), 'file')} skipped ({by_reason})"

    def _nothing_found(self, inputs: Sequence[str]) -> str:
        where = f" in {', '.join(inputs)}" if inputs else ""
        skipped = self._skipped()
        return f"no transcripts found{where}" + (f": {skipped}" if skipped else "")

    def deletion_summary(self) -> list[str]:
        """The lines printed at the end of ``omi-import delete``."""
        lines = [f"failed: {i.error}" for i in self.inputs if i.status == "failed"]
        lines += [
            f"not deleted: {d.path} #{d.index + 1} ({d.id or 'no id'}): {d.error}"
            for d in self.deleted
            if d.status != "deleted"
        ]
        files = len({d.path for d in self.deleted if d.status == "deleted"})
        lines.append(
            f"{counted(self.deleted_count, 'conversation')} of {counted(files, 'file')} deleted "
            f"from Omi (run {self.run}); {self._traffic(rate_limited=False)}"
        )
        return lines

    def _traffic(self, *, rate_limited: bool) -> str:
        """``3 requests, 1 retry[, 0 rate-limited], 0.0 s waiting for the rate limit, 4.1 s in
        all``: the end of both summaries."""
        t = self.totals
        parts = [counted(t.requests, "request"), counted(t.retries, "retry", "retries")]
        if rate_limited:
            parts.append(f"{t.rate_limited:,} rate-limited")
        parts.append(f"{duration(t.waited_s)} waiting for the rate limit")
        return ", ".join([*parts, f"{duration(t.elapsed_s)} in all"])

    def deletion_json(self) -> str:
        """``omi-import delete --json``: the run, what was deleted, and what was not found."""
        data = self.to_dict()
        found = {
            "ok": data["ok"],
            "stopped": self.stopped,
            "run": self.run,
            "deleted": data["deleted"],
            "not_found": [i.path for i in self.inputs if i.status == "failed"],
        }
        return json.dumps(found, indent=2, ensure_ascii=False)
