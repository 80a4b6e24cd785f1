"""Fresh Jupyter kernels in a fraction of a second: fork them from a process that imported torch.

A reader's run (tools/verify/reader.py) executes every chapter's notebook in a fresh kernel.
Starting a kernel the usual way costs about 5 s of CPU on the 2-core test machine, nearly all of it
importing torch and torchvision: 17 chapters, over a minute of `make test`. A KernelServer imports
them once and forks a kernel from itself for each notebook:

    server = KernelServer(env, prefix=["unshare", "-rn"])    # imports torch, torchvision, ipykernel
    server = KernelServer(env, preload=BARE)                 # ipykernel only: for plain Python
    manager.kernel_spec.argv = server.kernel_command()       # what jupyter_client starts per kernel
    server.close()

Each kernel is still a fresh session: a new process with an empty namespace, its own working
folder and sys.path[0], the environment it was asked for; only modules that a bare `import torch,
torchvision` loads are already in memory (never snippets or a submodule that a page must import
itself). jupyter_client starts `kernel_command()`, a small launcher that asks the server for a
kernel, passes signals on to it and exits with its exit status; if the launcher is killed, the
server kills the kernel. The server stays single-threaded, so that forking it is safe.

    python -m tools.verify.kernel_server SOCKET    # the server itself, as KernelServer starts it
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.pages import limits

PRELOAD = ["torch", "torchvision", "ipykernel.kernelapp"]
# For kernels that run plain Python (the tests of waits and Ctrl-C): torch's import is most of a
# server's start, a few seconds of CPU that no such kernel uses.
BARE = ["ipykernel.kernelapp"]
ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
# In a new network namespace (unshare -n) even the loopback interface is down, and the DDP
# chapter's processes talk over it: bring it up (ioctl SIOCGIFFLAGS / SIOCSIFFLAGS, flag IFF_UP).
LOOPBACK_UP = """import fcntl, socket, struct
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(probe, 0x8913, struct.pack("16sH", b"lo", 0))[:18])[1]
fcntl.ioctl(probe, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))
"""
# The launcher that jupyter_client starts for each kernel: stdlib only, so it starts at once.
LAUNCHER = """import json, os, signal, socket, sys
server = socket.socket(socket.AF_UNIX)
server.connect(sys.argv[1])
request = {"argv": sys.argv[2:], "cwd": os.getcwd(), "env": dict(os.environ)}
server.sendall(json.dumps(request).encode() + b"\\n")
replies = server.makefile()
kernel = int(replies.readline())
for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(number, lambda number, frame: os.kill(kernel, number))
status = replies.readline()
sys.exit(int(status) if status else 1)
"""


class KernelServer:
    """A running kernel server (see the module docstring); close() stops it and its kernels."""

    def __init__(
        self,
        env: dict[str, str],
        prefix: list[str] = (),
        timeout: float = limits.KERNEL_SERVER_START,
        preload: list[str] = PRELOAD,
        niceness: int = 0,
    ) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pet-kernels-"))
        self.socket = self.folder / "server.sock"
        command = [*prefix, sys.executable, "-m", "tools.verify.kernel_server", str(self.socket)]
        command += ["--loopback-up"] if prefix else []
        command += ["--preload", ",".join(preload)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        if niceness:  # a lower priority, which every kernel it forks inherits
            os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        deadline = time.monotonic() + timeout
        while not self.socket.exists():  # the server binds its socket once it has imported all
            if self.process.poll() is not None:
                raise RuntimeError(f"the kernel server exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the kernel server did not start within {timeout} s")
            time.sleep(0.05)

    def kernel_command(self) -> list[str]:
        """The argv for jupyter_client's kernel spec ({connection_file} is filled in by it)."""
        return [sys.executable, "-S", "-c", LAUNCHER, str(self.socket), "-f", "{connection_file}"]

    def close(self) -> None:
        """Stop the server and its kernels; closing twice does nothing more."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=limits.STOP)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def serve(path: str) -> None:
    """Accept kernel requests on the Unix socket `path` until SIGTERM; fork one kernel each."""
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path + ".part")
    listener.listen()
    os.rename(path + ".part", path)  # the socket appears only when it accepts: KernelServer waits
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # kernel pid -> its launcher's connection
    stopping = []
    signal.signal(signal.SIGTERM, lambda number, frame: stopping.append(number))
    while not stopping:
        for found, _ in selector.select(timeout=0.1):
            if found.fileobj is listener:
                connection, _ = listener.accept()
                request = json.loads(connection.makefile().readline())
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    for descriptor in [listener, connection, *kernels.values()]:
                        descriptor.close()
                    run_kernel(request)
                connection.sendall(f"{pid}\n".encode())
                kernels[pid] = connection
                selector.register(connection, selectors.EVENT_READ, pid)
            elif not found.fileobj.recv(1):  # the launcher is gone: so goes its kernel
                selector.unregister(found.fileobj)
                kill(found.data)
        reap(kernels, selector)
    for pid in kernels:
        kill(pid)


def run_kernel(request: dict) -> None:
    """In the forked child: a fresh session, as `python -m ipykernel_launcher -f FILE` would be."""
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()  # signals for the server's process group do not reach it
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]  # where `python -m` puts the folder it started in
        for name in [name for name in sys.modules if name.split(".")[0] == "tools"]:
            del sys.modules[name]  # the server's own code is not the reader's
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        # ipykernel read JPY_PARENT_PID when the server imported it, before there was one.
        parent = request["env"].get("JPY_PARENT_PID")
        if parent:
            sys.argv.append(f"--IPKernelApp.parent_handle={parent}")
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as stop:
        os._exit(stop.code if isinstance(stop.code, int) else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def reap(kernels: dict[int, socket.socket], selector) -> None:
    """Tell each finished kernel's launcher how it ended."""
    while kernels:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        connection = kernels.pop(pid, None)
        if connection is None:
            continue
        with contextlib.suppress(KeyError):  # unregistered already if its launcher went away
            selector.unregister(connection)
        with contextlib.suppress(OSError):  # the launcher was killed first
            connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
        connection.close()


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own
        os.kill(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tools.verify.kernel_server",
        description="Fork fresh Jupyter kernels on request.",
    )
    parser.add_argument("socket", help="the Unix socket to listen on")
    parser.add_argument(
        "--loopback-up", action="store_true", help="bring up lo first (in a new network namespace)"
    )
    parser.add_argument(
        "--preload",
        default=",".join(PRELOAD),
        help="the modules to import before any kernel, comma-separated (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.loopback_up:
        exec(LOOPBACK_UP, {})
    for name in filter(None, args.preload.split(",")):
        __import__(name)
    serve(args.socket)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
