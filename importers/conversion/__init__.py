"""Conversion: a file to the request bodies Omi would get, without the network.

:mod:`~importers.conversion.pipeline` reads each input once (:mod:`importers.source`), lets its
adapter parse it (:mod:`importers.registry`), applies a diarization when given one
(:mod:`~importers.conversion.diarization`), normalizes the transcript
(:mod:`~importers.conversion.normalize`: clean, repair, turns, speakers), cuts it into requests of
at most 500 segments (:mod:`~importers.conversion.chunking`) and builds and checks each body as the
server would (:mod:`~importers.conversion.payload`), under keys from :mod:`importers.identity`.
:mod:`~importers.conversion.options` holds what shapes the bodies (every flag), and
:mod:`~importers.conversion.cluster` runs the same conversion on a Dask cluster.
"""
