"""Run Snakemake jobs' steps in processes forked from one that has already loaded the libraries.

Every job of the workflow is a new Python process that loads pandas, pyarrow and numpy before
its step can start: about 0.45 s of CPU in a job whose whole start takes 0.65 s, paid by each of
a run's jobs, ten of them one after another on the workflow's critical path. On a local run the
Snakefile's ``onstart`` starts this server (:func:`start`), which loads those libraries once.
A job's script adapter (:func:`gtflow.runner.run_job`) then hands its step to the server: the
server forks a child that already has the libraries, the child runs the step with the job's
standard streams, working folder and environment, and reports the exit status back to the job,
which exits with it. The job's process stays what Snakemake waits for, so its timing, its
failure and its log are where they always were.

Nothing depends on the server: where it is not running (a dry run, a cluster job on another
machine, a study deployed as a Snakemake module, whose hooks Snakemake ignores, Windows, or
``GTFLOW_JOB_SERVER=off``), cannot be reached, runs another Python than the job's
(``--use-conda``, a container: :func:`interpreter`), or loaded its libraries with other thread
counts than the job was given (:data:`THREAD_VARIABLES`), the job runs its step in its own
process as before. A step's outputs are the same bytes either way.

The server ends when the run does (``onsuccess``/``onerror`` call :func:`stop`), or when the
Snakemake process that started it is gone (checked every half second), and waits for the
children it forked before it exits.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The environment variable that tells a job where the server listens; ``off`` (set before the
#: run) keeps every job in its own process.
ADDRESS_VARIABLE = "GTFLOW_JOB_SERVER"
#: What the server loads before it serves: the libraries every job's step loads at its start,
#: and the step modules (0.05-0.1 s each in a job, against 9 MB more in every job's peak RSS).
PRELOADED = ("numpy", "pyarrow", "pyarrow.compute", "pyarrow.parquet", "pandas", "snakemake.io",
             "gtflow.runner",
             # the modules the script adapters name (a test keeps the list complete)
             "gtflow.clean.authors", "gtflow.clean.steps", "gtflow.coding.steps",
             "gtflow.export.steps", "gtflow.ingest.roster", "gtflow.ingest.steps",
             "gtflow.mechanisms.steps", "gtflow.refi.steps", "gtflow.report.document",
             "gtflow.report.steps", "gtflow.stats.steps")
#: The thread counts Snakemake gives a job's numerical libraries (its ``threads``). Some are read
#: once, when a library loads: the server loads them as for a one-thread job, and a job given
#: other counts (a large input's cleaning) runs its step itself.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: The job's standard input, output and error, which the step's process takes over.
STREAMS = (0, 1, 2)
#: The longest path a UNIX socket can listen at (108 bytes on Linux, 104 on macOS, with a NUL).
MAX_ADDRESS_BYTES = 100
#: How often the server checks that the run that started it is still there (seconds).
POLL_SECONDS = 0.5
_LENGTH = struct.Struct("!Q")
#: The child's messages to the job: its process id, then the step's exit status; or a refusal
#: (the job runs another Python, or was given other thread counts, than the server).
_MESSAGE = struct.Struct("!ci")
_PID, _EXIT, _REFUSED = b"P", b"X", b"R"

_server: subprocess.Popen | None = None


# -- the Snakemake process -----------------------------------------------------------------------

def start_for(workflow: Any) -> subprocess.Popen | None:
    """:func:`start` where the run's jobs run on this machine (not a cluster's executor)."""
    return start() if getattr(workflow, "local_exec", False) else None


def start() -> subprocess.Popen | None:
    """Start the server for this run and tell the jobs where it listens (the environment they
    inherit); return it, or None where forking is unavailable or the user switched it off."""
    global _server
    if os.environ.get(ADDRESS_VARIABLE, "").lower() == "off" or not hasattr(os, "fork") \
            or not hasattr(socket, "AF_UNIX"):
        return None
    address = os.path.join(tempfile.mkdtemp(prefix="gtflow-"), "jobs")
    if len(os.fsencode(address)) > MAX_ADDRESS_BYTES:  # a long TMPDIR
        _remove(os.path.dirname(address))
        return None
    try:
        _server = subprocess.Popen(
            [sys.executable, "-m", "gtflow.jobserver", address, str(os.getpid())],
            stdin=subprocess.DEVNULL, env={**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")})
    except OSError:  # the jobs run their steps themselves, as without a server
        _remove(os.path.dirname(address))
        return None
    os.environ[ADDRESS_VARIABLE] = address
    return _server


def stop(timeout: float = 30.0) -> None:
    """Ask the server to end (it waits for the steps it is running) and wait for it."""
    global _server
    if _server is None:
        return
    address = os.environ.pop(ADDRESS_VARIABLE, None)
    if _server.poll() is None:
        _server.send_signal(signal.SIGTERM)
        try:
            _server.wait(timeout)
        except subprocess.TimeoutExpired:
            _server.kill()
            _server.wait()
    if address:
        _remove(address)
        _remove(os.path.dirname(address))
    _server = None


def _remove(path: str) -> None:
    try:
        os.rmdir(path) if os.path.isdir(path) else os.unlink(path)
    except OSError:
        pass


# -- a job's process -----------------------------------------------------------------------------

def run_on_server(target: str, log: str | Path | None, kwargs: dict[str, Any]) -> int | None:
    """Have the server run ``target`` (``"module:function"``) as this job's step; return the
    step's exit status, or None when no server can be reached (the caller runs the step itself).
    """
    address = os.environ.get(ADDRESS_VARIABLE, "")
    if not address or address.lower() == "off" or not hasattr(socket, "AF_UNIX") \
            or not all(_is_open(fd) for fd in STREAMS):
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(address)
    except OSError:
        connection.close()
        return None
    times = os.times()
    try:
        request = pickle.dumps({
            "target": target, "log": log, "kwargs": kwargs, "cwd": os.getcwd(),
            "environ": dict(os.environ), "argv": sys.argv,
            "job_process_cpu": times.user + times.system, "interpreter": interpreter(),
        }, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # an argument only this process has
        connection.close()
        return None
    with connection:
        try:
            socket.send_fds(connection, [_LENGTH.pack(len(request))], list(STREAMS))
            connection.sendall(request)
        except OSError:  # the server is stopping: no process has the whole request
            return None
        message = _receive_message(connection)
        if message is None or message[0] == _REFUSED:
            return None  # the server stopped before a process took the step, or refused it
        if message[0] == _PID:
            _forward_signals_to(message[1])
            message = _receive_message(connection)
    return _lost() if message is None or message[0] != _EXIT else message[1]


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _lost() -> int:
    print("gtflow: the process that ran this step ended without reporting how (see the log "
          "above; it may have been stopped for lack of memory)", file=sys.stderr)
    return 1


def _receive_message(connection: socket.socket) -> tuple[bytes, int] | None:
    data = b""
    while len(data) < _MESSAGE.size:
        try:
            chunk = connection.recv(_MESSAGE.size - len(data))
        except ConnectionError:
            return None
        if not chunk:
            return None
        data += chunk
    return _MESSAGE.unpack(data)


def _forward_signals_to(child: int) -> None:
    """Snakemake stops a job by signalling its process: pass that on to the step's process."""
    if child <= 1:
        return

    def forward(signum: int, _frame: Any) -> None:
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)


# -- the server ----------------------------------------------------------------------------------

def serve(address: str, parent: int) -> None:
    """Load :data:`PRELOADED`, then fork a child for each job that connects until told to stop
    or until ``parent``, the process that started the server, is gone."""
    stopping = False

    def stop_serving(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_serving)
    signal.signal(signal.SIGINT, stop_serving)
    # The loaded modules' objects live as long as the server: out of the collector's reach, a
    # child's collections neither walk them (0.1-0.3 s of a step's CPU, measured on the merge
    # and the report's context) nor write to their pages, which stay shared. As Python's gc
    # documentation advises for fork without exec: disabled while loading, frozen before
    # the forks, enabled again in each child.
    gc.disable()
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    # A signal writes a byte here, so a stop wakes the wait at once (the run waits for it).
    wake_up, woken = socket.socketpair()
    wake_up.setblocking(False)
    signal.set_wakeup_fd(wake_up.fileno(), warn_on_full_buffer=False)
    children: set[int] = set()
    with selectors.DefaultSelector() as selector, listener, wake_up, woken:
        selector.register(listener, selectors.EVENT_READ)
        selector.register(woken, selectors.EVENT_READ)
        while not stopping and os.getppid() == parent:
            for key, _ in selector.select(POLL_SECONDS):
                if key.fileobj is woken:
                    woken.recv(64)
                elif not stopping:
                    children.add(_fork_step(listener, listener.accept()[0], (wake_up, woken)))
            children -= _reaped(children, block=False)
        signal.set_wakeup_fd(-1)
        _remove(address)
        _remove(os.path.dirname(address))
    _reaped(children, block=True)


def _reaped(children: set[int], *, block: bool) -> set[int]:
    done = set()
    for child in children:
        try:
            pid, _ = os.waitpid(child, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid = child
        if pid:
            done.add(child)
    return done


def _fork_step(listener: socket.socket, connection: socket.socket,
               server_sockets: tuple[socket.socket, ...]) -> int:
    child = os.fork()
    if child:
        connection.close()
        return child
    status = 1
    try:
        gc.enable()
        signal.set_wakeup_fd(-1)
        for server_socket in (listener, *server_sockets):
            server_socket.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        request = _receive_request(connection)
        if not _can_serve(request):
            connection.sendall(_MESSAGE.pack(_REFUSED, 0))
            os._exit(0)
        connection.sendall(_MESSAGE.pack(_PID, os.getpid()))
        status = _run_request(request, connection)
    except BaseException:  # noqa: BLE001 - a bug or an interrupt: shown, and the job fails
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(_MESSAGE.pack(_EXIT, status))
        finally:
            os._exit(status)


def _can_serve(request: dict[str, Any]) -> bool:
    """Whether the job runs this Python and gave its libraries this process's thread counts."""
    return request.get("interpreter") == interpreter() and all(
        request["environ"].get(name) == os.environ.get(name) for name in THREAD_VARIABLES)


def _receive_request(connection: socket.socket) -> dict[str, Any]:
    header, fds, _flags, _address = socket.recv_fds(connection, _LENGTH.size, len(STREAMS))
    for fd, target in zip(fds, STREAMS, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    size = _LENGTH.unpack(header)[0]
    data = bytearray()
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ConnectionError("the job closed its connection before its request arrived")
        data += chunk
    return pickle.loads(data)


def _end_with_job(connection: socket.socket) -> None:
    """Stop this step's process when the job's process is gone (killed outright, so it could
    not pass a signal on): the job sends nothing more, so the connection only ends."""
    try:
        while connection.recv(64):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _run_request(request: dict[str, Any], connection: socket.socket) -> int:
    """Be the job: its folder, environment and arguments; then its step."""
    from gtflow.runner import run_step

    threading.Thread(target=_end_with_job, args=(connection,), daemon=True).start()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environ"])
    sys.argv = request["argv"]
    return_freed_memory_at_once()
    try:
        run_step(resolve(request["target"]), log=request["log"],
                 job_process_cpu=request["job_process_cpu"], **request["kwargs"])
    except SystemExit as stopped:
        return stopped.code if isinstance(stopped.code, int) else 1
    return 0


def interpreter() -> tuple[str, str, int, int]:
    """Which Python, with which packages, this process runs: its prefix (a virtual or conda
    environment's own) and its interpreter's file (path, device and inode, which differ inside
    a container even where the path is the same). A job whose interpreter differs from the
    server's (``--use-conda``, a container) runs its step itself."""
    executable = os.path.realpath(sys.executable)
    found = os.stat(executable)
    return (sys.prefix, executable, found.st_dev, found.st_ino)


def return_freed_memory_at_once() -> bool:
    """Have Arrow's jemalloc return freed pages to the system at once; return whether it could.

    jemalloc starts background threads when pyarrow loads, which hand freed pages back after a
    delay; a forked child has none (fork copies only the calling thread), so its freed pages
    stayed and a stage's peak grew. jemalloc applies this setting to the arenas it creates from
    now on (Arrow's worker threads get their own). Measured on the mechanisms stage, forked:
    474-477 MB at 100k posts without it, 406-408 MB with it (431-469 MB in the job's own
    process; the same CPU within the spread between runs); at 1M, 3,056 MB without it, 2,362
    MB with it."""
    pa = sys.modules.get("pyarrow")
    try:
        pa.jemalloc_set_decay_ms(0)
    except (AttributeError, NotImplementedError):  # no pyarrow, or one built without jemalloc
        return False
    return True


def resolve(target: str) -> Callable[..., Any]:
    """The function named ``"package.module:function"``."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
