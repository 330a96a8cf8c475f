"""The ``omi-import`` command: a thin shell over the library.

Every flag maps to a keyword of :meth:`importers.conversion.options.ConvertOptions.from_flags` or
:class:`importers.upload.UploadOptions`; adapters add their own flags
(:attr:`importers.adapter.Adapter.options`). An :class:`~importers.errors.ImporterError` that
stops a command becomes a one-line ``Error: ...`` in exactly one place, :class:`_Cli`
(:class:`~importers.errors.ConfigError`: exit 2, others: exit 1); a file that fails inside a
batch is an outcome, printed and counted, and the batch goes on. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from importers import __version__
from importers.errors import ConfigError, ImporterError, ImporterWarning
from importers.registry import Registry
from importers.upload.config import config_defaults, default_config_path

if TYPE_CHECKING:
    from importers.upload.report import Report


class _CommandError(click.ClickException):
    """An ImporterError that stops a command: ``Error: message``, exit 1."""


class _SettingsError(_CommandError):
    """A ConfigError (bad options or settings) that stops a command: exit 2."""

    exit_code = 2


INTERRUPTED_EXIT = 130


class _Cli(click.Group):
    """The one place an ImporterError becomes a command-line error (and Ctrl-C, outside the
    commands that report what they did first, exit 130 instead of click's "Aborted!")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings_as_lines():
                return super().invoke(ctx)
        except ConfigError as exc:
            raise _SettingsError(str(exc)) from None
        except ImporterError as exc:
            raise _CommandError(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("omi-import: interrupted", err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Inside: an :class:`~importers.errors.ImporterWarning` is one ``Warning: ...`` line on
    stderr (shown once, as Python shows a warning); other warnings are shown as before."""
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
            if issubclass(category, ImporterWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                shown(message, category, *args, **kw)

        warnings.showwarning = show
        yield


def registry_of(ctx: click.Context) -> Registry:
    """The installed adapters, loaded once per command line (``ctx.meta`` is shared)."""
    registry = ctx.meta.get("omi_import.registry")
    if registry is None:
        registry = ctx.meta["omi_import.registry"] = Registry.default()
    assert isinstance(registry, Registry)
    return registry


def finish(
    report: Report, lines: list[str], *, interrupted: bool, code: int = INTERRUPTED_EXIT
) -> None:
    """Print a run's summary lines and exit: ``code`` (130) when interrupted, 1 when not ok,
    else 0."""
    for line in lines:
        click.echo(line)
    if interrupted:
        click.echo(f"stopped: {report.stopped}")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # requests still in flight are `sending`: a re-run settles them
    if report.stopped:
        click.echo(f"Error: {report.stopped}", err=True)
    sys.exit(0 if report.ok else 1)


@click.group(
    cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="omi-import")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Import transcripts and recordings into Omi as conversations."""
    if defaults := config_defaults():
        ctx.default_map = command_defaults(ctx, defaults)


def command_defaults(ctx: click.Context, defaults: dict[str, object]) -> dict[str, Any]:
    """The config file's ``[defaults]`` (by option name, ``max-pause`` or ``max_pause``) as
    click's per-command default map; a flag on the command line still wins.

    A repeatable option takes a list, or one string for a list of one (``me = "Ana"``); every
    value is checked as the option checks its own, here, naming the file and the key.

    Raises:
        ConfigError: a name that is no option of any command, or a value the option refuses.
    """
    assert isinstance(ctx.command, click.Group)
    out: dict[str, dict[str, object]] = {}
    used: set[str] = set()
    for name, command in ctx.command.commands.items():
        by_flag = {
            flag.lstrip("-").replace("-", "_"): param
            for param in command.get_params(ctx)
            if isinstance(param, click.Option) and param.name
            for flag in param.opts
            if flag.startswith("--")
        }
        for key, value in defaults.items():
            if (param := by_flag.get(key.replace("-", "_"))) is not None:
                assert param.name is not None
                out.setdefault(name, {})[param.name] = _default_value(ctx, param, key, value)
                used.add(key)
    if unknown := sorted(set(defaults) - used):
        raise ConfigError(
            f"{default_config_path()}: [defaults] names no option of omi-import: "
            f"{', '.join(unknown)}"
        )
    return out


def _default_value(ctx: click.Context, param: click.Option, key: str, value: object) -> object:
    """A ``[defaults]`` value as ``param`` takes it (module docstring of the config file).

    Raises:
        ConfigError: the option refuses it (the message names the file and the key).
    """
    if param.multiple and isinstance(value, str):
        value = [value]
    if param.is_flag and not isinstance(value, bool):
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: a flag takes true or false"
        )
    try:
        param.type_cast_value(ctx, value)
    except click.BadParameter as exc:
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: {exc.message}"
        ) from None
    except (TypeError, ValueError, AttributeError):  # click's types assume text from argv
        raise ConfigError(
            f"{default_config_path()}: [defaults] {key} = {value!r}: not a value --{key} takes"
        ) from None
    return value


def main() -> None:
    cli(prog_name="omi-import")
