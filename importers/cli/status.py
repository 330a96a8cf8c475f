"""``omi-import status``: what the ledger knows, as text or JSON: counts per state, runs, and
every conversation that needs something (``omi-import list`` shows what is in Omi)."""

from __future__ import annotations

import json
from typing import Any

from importers.upload.ledger import Ledger

#: Conversations that need something, listed one per line (the rest are counted).
LISTED = 10


def status_data(ledger: Ledger) -> dict[str, object]:
    """Counts per state, unreadable inputs, and every conversation that is not done."""
    inputs = ledger.inputs()
    problems = [
        {
            "path": e.input_path,
            "index": e.index,
            "client_session_id": e.key,
            "status": e.status,
            "attempts": e.attempts,
            "error": e.last_error,
            "updated_at": e.updated_at,
        }
        for e in ledger.entries()
        if e.status not in ("done", "deleted")
    ]
    runs = ledger.runs()
    return {
        "ledger": str(ledger.path),
        "inputs": len(inputs),
        "unreadable": [{"path": i.path, "error": i.error} for i in inputs if i.status == "failed"],
        "conversations": ledger.counts(),
        "discarded": sum(1 for e in ledger.entries("done") if e.discarded),
        "not_done": problems,
        "runs": len(runs),
        "last_run": None
        if not runs
        else {
            "id": runs[-1].id,
            "kind": runs[-1].kind,
            "started_at": runs[-1].started_at,
            "finished_at": runs[-1].finished_at,
            "note": runs[-1].note,
        },
    }


def status_text(ledger: Ledger, *, as_json: bool = False) -> str:
    data = status_data(ledger)
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False)
    counts: dict[str, int] = data["conversations"]  # type: ignore[assignment]
    lines = [
        f"Ledger: {data['ledger']}",
        f"Inputs: {data['inputs']}",
        "Conversations: " + ", ".join(f"{n} {state}" for state, n in counts.items()),
    ]
    last: dict[str, object] | None = data["last_run"]  # type: ignore[assignment]
    if last is not None:
        lines.append(
            f"Runs: {data['runs']} (last: #{last['id']} {last['kind']}, "
            f"started {last['started_at']}"
            + (f", {last['note']}" if last["note"] else ", not finished")
            + ")"
        )
    if data["discarded"]:
        lines.append(f"  ({data['discarded']} of the done ones were discarded by Omi as too short)")
    for item in data["unreadable"]:  # type: ignore[attr-defined]
        lines.append(f"unreadable: {item['error']}")
    not_done: list[dict[str, Any]] = data["not_done"]  # type: ignore[assignment]
    for p in not_done[:LISTED]:
        reason = p["error"] or ("not sent yet" if p["status"] == "pending" else "")
        state = "deleted in Omi" if p["status"] == "gone" else p["status"]
        lines.append(f"{state}: {p['path']} #{p['index'] + 1} ({p['client_session_id']}): {reason}")
    if len(not_done) > LISTED:
        lines.append(
            f"... and {len(not_done) - LISTED:,} more (`omi-import status --json` lists them all)"
        )
    if counts["failed"]:
        lines.append("Re-run the import with --retry-failed to send failed ones again.")
    if counts["uncertain"]:
        lines.append(
            "Uncertain ones may already be in Omi (sent where sending again could duplicate): "
            "a re-run looks them up (a key that may read conversations), or check the app and "
            "re-run with --resend-uncertain if they are missing."
        )
    if counts["pending"] or counts["sending"]:
        lines.append("Re-run the same import to send the rest.")
    if counts["deleting"]:
        lines.append("The next import or delete sends the deletions that did not finish.")
    if counts["gone"]:
        lines.append(
            "Deleted in Omi: deleted there (in the app), not by omi-import; Omi will not make "
            "them again under their keys. Re-run the import with --reimport-deleted to import "
            "them again."
        )
    return "\n".join(lines)
