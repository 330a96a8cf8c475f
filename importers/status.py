"""``omi-import status``: what the ledger knows, as text or JSON."""

from __future__ import annotations

import json

from importers.ledger import Ledger


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
        if e.status != "done"
    ]
    return {
        "ledger": str(ledger.path),
        "inputs": len(inputs),
        "unreadable": [{"path": i.path, "error": i.error} for i in inputs if i.status == "failed"],
        "conversations": ledger.counts(),
        "discarded": sum(1 for e in ledger.entries("done") if e.discarded),
        "not_done": problems,
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
    if data["discarded"]:
        lines.append(f"  ({data['discarded']} of the done ones were discarded by Omi as too short)")
    for item in data["unreadable"]:  # type: ignore[attr-defined]
        lines.append(f"unreadable: {item['error']}")
    for p in data["not_done"]:  # type: ignore[attr-defined]
        reason = p["error"] or ("not sent yet" if p["status"] == "pending" else "")
        lines.append(
            f"{p['status']}: {p['path']} #{p['index'] + 1} ({p['client_session_id']}): {reason}"
        )
    if counts["failed"]:
        lines.append("Re-run the import with --retry-failed to send failed ones again.")
    if counts["uncertain"]:
        lines.append(
            "Uncertain ones may already be in Omi (the text endpoint has no idempotency key): "
            "check the app, then re-run with --resend-uncertain if they are missing."
        )
    if counts["pending"] or counts["sending"]:
        lines.append("Re-run the same import to send the rest.")
    return "\n".join(lines)
