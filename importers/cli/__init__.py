"""The ``omi-import`` command line: a thin shell over the library.

:mod:`~importers.cli.main` holds the command group, the one place an error becomes an ``Error:``
line, and the config file's defaults; :mod:`~importers.cli.flags` the flags the commands share.
The commands: :mod:`~importers.cli.convert` (``convert``), :mod:`~importers.cli.send`
(``import``, ``watch``, ``delete``) and :mod:`~importers.cli.info` (``list``, ``status``,
``doctor``, ``formats``). What they show: :mod:`~importers.cli.console` (convert's lines and
summary), :mod:`~importers.cli.progress` (an import's live display or plain lines),
:mod:`~importers.cli.outputs` (``-o`` file names), :mod:`~importers.cli.formats`,
:mod:`~importers.cli.status` and :mod:`~importers.cli.doctor`.
"""

from importers.cli import convert, info, send
from importers.cli.main import cli, main

__all__ = ["cli", "convert", "info", "main", "send"]
