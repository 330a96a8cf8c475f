"""``python -m importers`` runs the omi-import CLI."""

from importers.cli import main

main()
