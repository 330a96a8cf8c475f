"""The commands that look: ``list`` and ``status`` (the ledger), ``doctor`` and ``formats``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass
from importers.cli.flags import state_option
from importers.cli.main import cli, registry_of


@cli.command("list")
@state_option()
@click.option("--json", "as_json", is_flag=True, help="Print the recordings as JSON.")
def list_cmd(state_dir: Path | None, as_json: bool) -> None:
    """List what was imported into Omi: file, when, run, status, conversation ids."""
    from importers.upload.ledger import Ledger
    from importers.upload.recordings import list_text

    with Ledger.open(state_dir) as ledger:
        click.echo(list_text(ledger, as_json=as_json))


@cli.command("status")
@state_option()
@click.option("--json", "as_json", is_flag=True, help="Print the counts and problems as JSON.")
def status_cmd(state_dir: Path | None, as_json: bool) -> None:
    """Show what the ledger knows: counts per state, failures with reasons."""
    from importers.cli.status import status_text
    from importers.upload.ledger import Ledger

    with Ledger.open(state_dir) as ledger:
        click.echo(status_text(ledger, as_json=as_json))


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--online", is_flag=True, help="Also check the API key with one read request.")
@state_option()
@click.pass_context
def doctor_cmd(ctx: click.Context, /, as_json: bool, online: bool, state_dir: Path | None) -> None:
    """Check what imports need: ready or what to fix (exit 1 when something needed is not)."""
    from importers.cli.doctor import exit_code, render, run_checks, to_json

    checks = run_checks(registry_of(ctx), online=online, state_dir=state_dir)
    click.echo(json.dumps(to_json(checks), indent=2) if as_json else render(checks))
    sys.exit(exit_code(checks))


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print the adapters as JSON.")
@click.pass_context
def formats_cmd(ctx: click.Context, /, as_json: bool) -> None:
    """List the format adapters: built-in and installed plugins."""
    from importers.cli.formats import formats_json, formats_table

    infos = registry_of(ctx).infos
    click.echo(formats_json(infos) if as_json else formats_table(infos), nl=not as_json)
