"""What an import did: per input, per conversation, and totals; as JSON (``--report``) or text.

The JSON report::

    {
      "ok": false,
      "stopped": null,
      "inputs": [
        {"path": "talks/a.srt", "status": "done", "format": "srt", "sha256": "...",
         "error": null,
         "conversations": [
           {"client_session_id": "omi-import-...-000", "index": 0, "endpoint": "...",
            "id": "conv_123", "status": "done", "discarded": false, "sent_now": true,
            "attempts": 1, "error": null}]},
        {"path": "notes.pdf", "status": "unsupported", "error": "unsupported file type", ...}
      ],
      "totals": {"inputs": 2, "conversations": 1, "done": 1, "failed": 0, "uncertain": 0,
                 "pending": 0, "requests": 1, "retries": 0, "rate_limited": 0,
                 "waited_s": 0.0, "elapsed_s": 12.3}
    }

Input status: ``done`` (every conversation is in Omi), ``failed`` (it could not be read, or Omi
rejected a conversation), ``uncertain``, ``incomplete`` (some not sent yet: stopped, or the
server kept failing), ``unsupported`` (skipped: no adapter for it; not an error).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

InputStatus = Literal["done", "failed", "uncertain", "incomplete", "unsupported"]


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
class Totals:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_s: float = 0.0
    elapsed_s: float = 0.0


@dataclass
class Report:
    inputs: list[InputResult] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    stopped: str | None = None

    @property
    def conversations(self) -> list[ConversationResult]:
        return [c for i in self.inputs for c in i.conversations]

    def count(self, status: str) -> int:
        return sum(1 for c in self.conversations if c.status == status)

    @property
    def ok(self) -> bool:
        """Everything asked for is in Omi (unsupported files skipped in folders do not count)."""
        return self.stopped is None and all(
            i.status in ("done", "unsupported") for i in self.inputs
        )

    def to_dict(self) -> dict[str, object]:
        totals = {
            "inputs": len(self.inputs),
            "conversations": len(self.conversations),
            **{s: self.count(s) for s in ("done", "failed", "uncertain", "pending", "sending")},
            **asdict(self.totals),
        }
        totals["waited_s"] = round(self.totals.waited_s, 3)
        totals["elapsed_s"] = round(self.totals.elapsed_s, 3)
        return {
            "ok": self.ok,
            "stopped": self.stopped,
            "inputs": [asdict(i) for i in self.inputs],
            "totals": totals,
        }

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def summary(self) -> list[str]:
        """The lines printed at the end of an import."""
        convs = self.conversations
        done = self.count("done")
        sent_now = sum(1 for c in convs if c.sent_now and c.status == "done")
        discarded = sum(1 for c in convs if c.status == "done" and c.discarded)
        lines = []
        for item in self.inputs:
            if item.status == "failed" and item.error:
                lines.append(f"failed: {item.error}")
            for c in item.conversations:
                if c.status in ("failed", "uncertain") or (c.status != "done" and c.error):
                    lines.append(
                        f"{c.status}: {item.path} #{c.index + 1} ({c.client_session_id}): {c.error}"
                    )
        unsupported = [i for i in self.inputs if i.status == "unsupported"]
        t = self.totals
        head = (
            f"{done} of {len(convs)} conversations in Omi ({sent_now} new, "
            f"{done - sent_now} already there"
            + (f", {discarded} discarded by Omi as too short" if discarded else "")
            + f"); {t.requests} requests, {t.retries} retries, {t.rate_limited} rate-limited, "
            f"{_duration(t.waited_s)} waiting for the rate limit, {_duration(t.elapsed_s)} in all"
        )
        lines.append(head)
        failed_inputs = sum(1 for i in self.inputs if i.status == "failed" and not i.conversations)
        extra = []
        if failed_inputs:
            extra.append(f"{failed_inputs} file(s) could not be read")
        for status in ("failed", "uncertain", "pending", "sending"):
            n = self.count(status)
            if n:
                extra.append(
                    f"{n} {'not sent yet' if status in ('pending', 'sending') else status}"
                )
        if unsupported:
            extra.append(f"{len(unsupported)} unsupported file(s) skipped")
        if extra:
            lines.append("; ".join(extra))
        if self.count("uncertain"):
            lines.append(
                "uncertain: the text endpoint has no idempotency key, so these may already be in "
                "Omi; check the app, then re-run with --resend-uncertain to send them again"
            )
        if self.count("failed"):
            lines.append(
                "`omi-import status` shows the reasons; --retry-failed sends failed ones again"
            )
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        return lines


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {sec:02d} s"


def duration(seconds: float) -> str:
    """A short human duration (``4.2 s``, ``3 min 05 s``, ``2 h 10 min``)."""
    return _duration(seconds)
