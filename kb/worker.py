"""The snippet worker: imports torch and friends once, then runs each snippet in a fresh forked child.

`python -m kb.worker` reads one JSON request a line on stdin, runs the snippet (or, given `source`, that
code as if it were the snippet's file) and answers one JSON line on stdout. Starting Python and
importing torch, matplotlib and scikit-learn costs about 2 s; forking a process that already has them
costs milliseconds. Each child is a copy of the pristine worker, so
whatever a snippet changes (default dtype, RNG state, rcParams, sys.modules, environment) dies with it:
the next snippet starts exactly as the one before did.

`--preload=torch,numpy` imports only what these packages hold of that list: one snippet checked with
`python -m kb check` then waits for its own imports only.

`python -m kb.worker --no-fork` runs the one request it reads in-process and exits: a fresh interpreter
per snippet, for machines where forking is unsafe (a GPU: a forked child must not share a CUDA context).
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import sys
import time
import traceback

PRELOADED = (
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "numpy",
    "matplotlib",
    "matplotlib.pyplot",
    "sklearn.datasets",
)
NETWORK_FLAG = ".kb-network-attempt"  # written in the child's folder when a snippet tries the network
_protocol_fd = None  # the worker's answer channel, closed in each child


def preload(only: set[str] | None = None) -> None:
    """Import what snippets use (or, given `only`, what of it these top-level packages hold), without
    running anything on the CPU threads (safe to fork after)."""
    import importlib

    for name in PRELOADED:
        if only is not None and name.split(".")[0] not in only:
            continue
        try:
            importlib.import_module(name)
        except ImportError:
            continue  # a missing optional module fails in the snippet that needs it, with its own error
        if name == "matplotlib":
            sys.modules["matplotlib"].use("Agg")


def block_network(snippet: str) -> None:
    """Make every outgoing connection fail with a message naming the snippet."""

    def refuse(*args, **kwargs):
        # seen even if the snippet catches it
        with open(NETWORK_FLAG, "a", encoding="utf-8") as flag:
            flag.write(repr(args[1:] or args) + "\n")
        raise ConnectionRefusedError(
            f"{snippet} tried to open a network connection {args[1:] or args}. Snippets must not "
            "download anything: use data a package ships (sklearn.datasets.load_digits) or data the "
            "snippet generates."
        )

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.socket.sendto = refuse
    socket.getaddrinfo = refuse
    socket.create_connection = refuse


def run_child(request: dict) -> int:
    """Run one snippet as `python <snippet>` would, in this process; return its exit code."""
    snippet = request["snippet"]
    if _protocol_fd is not None and "--no-fork" not in sys.argv:
        # a snippet must not be able to write into the answers
        os.close(_protocol_fd)
    os.chdir(request["workdir"])
    os.environ["KB_SEED"] = str(request["seed"])
    sys.argv = [snippet]
    sys.path.insert(0, os.path.dirname(snippet))
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        target = os.open(
            os.path.join(request["workdir"], ".kb-" + name),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
        )
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    block_network(request["name"])
    if (
        "matplotlib" in sys.modules
    ):  # a saved plot also writes what it shows (kb/plotdata.py)
        from kb import plotdata

        plotdata.install()
    code = 0
    try:
        # a changed copy of the file (a negative control, kb/controls.py)
        if "source" in request:
            code_object = compile(request["source"], snippet, "exec")
            exec(code_object, {"__name__": "__main__", "__file__": snippet})
        else:
            runpy.run_path(snippet, run_name="__main__")
    except SystemExit as exit_:
        if isinstance(exit_.code, int):
            code = exit_.code
        elif exit_.code is not None:
            print(exit_.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def run_forked(request: dict) -> dict:
    """Fork a child for the request; wait for it at most request['timeout'] seconds."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            code = run_child(request)
        finally:
            os._exit(code)
    deadline = start + request["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return {
                "code": os.waitstatus_to_exitcode(status),
                "seconds": time.perf_counter() - start,
            }
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {
                "code": None,
                "seconds": time.perf_counter() - start,
                "timed_out": True,
            }
        time.sleep(0.002)


def main() -> None:
    global _protocol_fd
    # answers go here; fd 1 and sys.stdout now lead to stderr
    _protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    only = [a.partition("=")[2] for a in sys.argv if a.startswith("--preload=")]
    preload(set(only[0].split(",")) if only else None)
    if "--no-fork" in sys.argv:
        request = json.loads(sys.stdin.readline())
        start = time.perf_counter()
        code = run_child(request)
        answer = {"code": code, "seconds": time.perf_counter() - start}
        os.write(_protocol_fd, (json.dumps(answer) + "\n").encode())
        os._exit(0)
    for line in sys.stdin:
        answer = run_forked(json.loads(line))
        os.write(_protocol_fd, (json.dumps(answer) + "\n").encode())


if __name__ == "__main__":
    main()
