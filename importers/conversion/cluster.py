"""Conversions fanned out to a Dask cluster, with the contract of :func:`.pipeline.convert_all`.

>>> with open_cluster("local") as cluster:                          # doctest: +SKIP
...     for outcome in cluster.convert_all(["~/Archive"], options):
...         print(outcome.path, outcome.status)

``"local"`` starts a LocalCluster on this machine: one worker process per core, one thread each
(an audio worker loads its models once, and torch and CTranslate2 each run on one core).
Any other address (``tcp://host:8786``) connects to a running scheduler. The ``dask`` extra
(Dask distributed) is imported only here, only then.

**What runs where.** This process (the coordinator) walks the inputs and detects each file once
(:func:`importers.inputs.find_inputs`: cheap, and folder rules such as Zoom's need the whole
folder), submits one task per file to convert, and yields the outcomes in the order of the
inputs; all that follows (output files, the ledger, uploads and their rate limit) stays here.
A worker runs convert_all's step per file (:func:`importers.conversion.pipeline.outcome_of`: parse,
normalize, build the request bodies) and sends the
:class:`~importers.conversion.pipeline.Conversion` back. A transcript's bytes, read here for
detection, travel with its task (pickled as its path and bytes, never its decoded views:
:meth:`importers.source.Source.__reduce__`); a recording, of which detection reads nothing, is read
by the worker from its path. So **the inputs' paths must be reachable from the workers under the
same names** (shared storage), and the workers need the same omi-import, extras and plugins
installed.

**Same output.** The same code on the same bytes with the same options makes the same bodies and
client_session_ids as one process does, in the same order. One exception is the user's to
avoid: ``--device auto`` resolves on each worker, so a GPU worker picks CUDA and another default
speech model than a CPU worker (pass ``--whisper-model`` to get the same words everywhere).

**Bounded.** At most ``window`` files are submitted and not yet yielded (default
:data:`WINDOW_PER_THREAD` per worker thread, at least :data:`MIN_WINDOW`), so memory stays flat
whatever the size of the archive. A long file holds back the yielding of later ones, not their
conversion, until the window is full.

**Lost workers.** When a worker dies mid-task (killed, out of memory), the scheduler runs its
tasks again on another (Dask's ``distributed.scheduler.allowed-failures``, 3 by default); a file
whose task killed that many workers is a failed outcome, and the others go on. Finished
transcriptions are cached by content in the state folder (:mod:`adapters.audio.cache`): a
LocalCluster's workers are given this process's (``OMI_IMPORT_STATE``); on a remote cluster,
set ``OMI_IMPORT_STATE`` of every worker to one shared folder, so that neither a task run again
nor a re-run of the command redoes a transcription that finished.

**Progress.** :class:`ClusterStats` counts the files done per worker and the audio hours
converted per hour (a recording's length from its header, :meth:`Adapter.media_seconds`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Outcome, gc_paused, outcome_of
from importers.errors import ClusterError, ConfigError, InputError, MissingDependencyError
from importers.inputs import FolderPart, Found, Period, find_inputs
from importers.install import add_extra
from importers.registry import Registry
from importers.state import ENV_STATE, state_dir
from importers.wording import count

if TYPE_CHECKING:
    from distributed import Client, Future

LOCAL = "local"
CONNECT_TIMEOUT_S = 10
WINDOW_PER_THREAD = 4
MIN_WINDOW = 16


@dataclass
class ClusterStats:
    """What the cluster has done since it was opened: files per worker, audio converted."""

    started: float = field(default_factory=time.monotonic)
    files: Counter[str] = field(default_factory=Counter)
    media_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def done(self, worker: str, media_s: float | None) -> None:
        with self._lock:
            self.files[worker] += 1
            self.media_s += media_s or 0.0

    def line(self) -> str:
        """``Dask: 23 files done (worker 0: 12, 1: 11); 1.5 h of audio, 4.2 h per hour``.

        Read by a progress display's own thread while files complete (hence the lock)."""
        with self._lock:
            files = sorted(self.files.items(), key=lambda item: (len(item[0]), item[0]))
            media_h = self.media_s / 3600
        total = sum(n for _, n in files)
        per = ", ".join(f"{name}: {n}" for name, n in files)
        line = f"Dask: {count(total, 'file')} done"
        if per:
            line += f" (worker {per})"
        if media_h > 0:
            rate = media_h / max(time.monotonic() - self.started, 1e-9) * 3600
            line += f"; {media_h:.2f} h of audio, {rate:.1f} h per hour"
        return line


class _Done(NamedTuple):
    """A worker's answer: the outcome, who made it, the recording's length."""

    outcome: Outcome
    worker: str
    media_s: float | None


def _convert(found: Found, options: ConvertOptions) -> _Done:
    """The task (runs on a worker): convert one found input."""
    from distributed import get_worker

    outcome = outcome_of(found, options)
    media = None
    if outcome.conversion is not None and found.adapter is not None and found.source:
        media = found.adapter.media_seconds(found.source)
    return _Done(outcome, str(get_worker().name), media)


class DaskCluster:
    """A client of a Dask cluster whose :meth:`convert_all` converts there (module doc)."""

    def __init__(self, client: Client, description: str, window: int | None = None) -> None:
        self.client = client
        self.description = description
        threads = sum(client.nthreads().values())
        self.window = window or max(MIN_WINDOW, WINDOW_PER_THREAD * threads)
        self.stats = ClusterStats()

    def convert_all(
        self,
        paths: Iterable[Path | str | FolderPart],
        options: ConvertOptions | None = None,
        *,
        registry: Registry | None = None,
        period: Period | None = None,
    ) -> Iterator[Outcome]:
        """:func:`importers.conversion.pipeline.convert_all`, each file converted on a worker.

        Raises:
            ConfigError: a bad option (as convert_all).
            ClusterError: the cluster went away.
        """
        from distributed import as_completed

        options = options or ConvertOptions()
        registry = registry or Registry.default()
        found_all = find_inputs(
            paths, registry, format_name=options.format, encoding=options.encoding, period=period
        )
        held: deque[Outcome | Future] = deque()  # in the order of the inputs
        in_flight: dict[str, Path] = {}  # the paths of the tasks running
        answers: dict[str, Outcome] = {}
        finished = as_completed(with_results=True, raise_errors=False)
        try:
            while True:
                while len(held) < self.window:
                    with gc_paused():  # as convert_all: detection parses a JSON file
                        found = next(found_all, None)
                    if found is None:
                        break
                    if found.adapter is None:  # skipped or failed here: nothing to convert
                        held.append(outcome_of(found, options))
                        continue
                    future = self.client.submit(_convert, found, options, pure=False)
                    in_flight[future.key] = found.path
                    finished.add(future)
                    held.append(future)
                if not held:
                    return
                head = held.popleft()
                if isinstance(head, Outcome):
                    yield head
                    continue
                while head.key not in answers:
                    done, result = next(finished)
                    answers[done.key] = self._settle(done, result, in_flight.pop(done.key))
                yield answers.pop(head.key)
        finally:
            self.client.cancel([h for h in held if not isinstance(h, Outcome)])

    def _settle(self, future: Future, result: Any, path: Path) -> Outcome:
        """The outcome of a finished task: converted or failed on its worker, or lost.

        Raises:
            ConfigError: a worker found an option bad (as :func:`convert_all` raises it).
            ClusterError: the cluster went away (the task was cancelled).
        """
        from distributed import KilledWorker

        if future.status == "finished":
            done: _Done = result
            self.stats.done(done.worker, done.media_s)
            return done.outcome
        if future.status == "cancelled":
            raise ClusterError(f"the Dask cluster went away while {path} was converting")
        error = result[1]  # (type, exception, traceback)
        if isinstance(error, KilledWorker):
            # Every worker that ran it died (out of memory, a crash in a decoder): this file
            # fails, the others go on.
            return Outcome(
                path,
                error=InputError(
                    f"the Dask workers converting it died {error.allowed_failures + 1} times "
                    "(out of memory?)",
                    path=path,
                ),
            )
        raise error  # ConfigError, or a bug: as convert_all, with the worker's traceback


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            f"--dask needs Dask distributed (the dask extra): {add_extra('dask')}"
        ) from None
    return distributed


@contextmanager
def local_cluster(workers: int | None = None) -> Iterator[Any]:
    """A LocalCluster of ``workers`` processes (default: one per core), one thread each.

    Each worker loads its models once and runs them on its core, in this process's state
    folder (the audio caches). The scheduler hands a task to a worker only when one of its
    threads is free (``worker-saturation`` 1.0, Dask's default is 1.1): a recording takes
    minutes, and one queued behind it on a busy worker would wait for it while another worker
    idles.

    Raises:
        MissingDependencyError: the dask extra is not installed.
    """
    distributed = _distributed()
    from dask import config
    from dask.system import CPU_COUNT

    nanny = logging.getLogger("distributed.nanny")
    nanny.addFilter(_quiet_kill)
    try:
        with (
            config.set({"distributed.scheduler.worker-saturation": 1.0}),
            distributed.LocalCluster(
                n_workers=workers or CPU_COUNT,
                threads_per_worker=1,
                processes=True,
                env={ENV_STATE: str(state_dir())},
                dashboard_address=":0",
            ) as cluster,
        ):
            yield cluster
    finally:
        nanny.removeFilter(_quiet_kill)


def _quiet_kill(record: logging.LogRecord) -> bool:
    """Leave out the nanny's "still alive after 4.0 seconds, killing" when the local cluster
    closes: a worker that held the speech models can take longer than Dask's fixed wait to exit
    on a loaded machine, and it is killed after its work is done and reported; nothing to tell
    a user. Every other line of Dask's stays."""
    return not str(record.msg).startswith("Worker process still alive after")


@contextmanager
def open_cluster(address: str, *, window: int | None = None) -> Iterator[DaskCluster]:
    """Start a LocalCluster (``"local"``: :func:`local_cluster`) or connect to the scheduler at
    ``address``; closed (a LocalCluster stopped) at the end of the block.

    Raises:
        MissingDependencyError: the dask extra is not installed.
        ClusterError: the scheduler cannot be reached.
        ConfigError: ``address`` is no address.
    """
    distributed = _distributed()
    if address == LOCAL:
        with local_cluster() as cluster, distributed.Client(cluster) as client:
            yield DaskCluster(client, _describe(client, "local cluster"), window)
        return
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except ValueError as exc:
        raise ConfigError(
            f"--dask {address}: {exc}; give local or a scheduler's address (tcp://host:8786)"
        ) from None
    with client:
        yield DaskCluster(client, _describe(client, f"scheduler {address}"), window)


def _describe(client: Client, what: str) -> str:
    """``Dask: local cluster, 2 workers (1 thread each); dashboard http://...``."""
    nthreads = list(client.nthreads().values())
    if not nthreads:  # a scheduler of its own, before its workers start: tasks wait for them
        line = f"Dask: {what}, no worker yet (the files wait for workers to join)"
    elif len(set(nthreads)) == 1:
        line = (
            f"Dask: {what}, {count(len(nthreads), 'worker')} ({count(nthreads[0], 'thread')} each)"
        )
    else:
        line = f"Dask: {what}, {count(len(nthreads), 'worker')} ({sum(nthreads)} threads in all)"
    if "dashboard" in client.scheduler_info().get("services", {}):
        line += f"; dashboard {client.dashboard_link}"
    return line
