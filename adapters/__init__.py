"""omi-import's built-in format adapters (plugins of the ``omi_import.adapters`` group).

Each module holds one format; nothing heavy is imported here. See :mod:`importers.adapter` for
the contract a plugin implements.
"""
