"""Start a throwaway JupyterLab on loopback for the browser test, and always stop it.

The server runs this interpreter's JupyterLab, so its kernels are this
interpreter too: the `python3` kernelspec of the venv starts `python`, which
jupyter_client replaces with the server's own `sys.executable`.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Measured: without windowingMode "none" JupyterLab does not render cells
# scrolled out of view, so their panels would never appear. Autosave is off so
# that running a chapter in the browser never writes outputs into the repo.
# Everything else comes from the course's own settings, as in `make lab`.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}
# The course's JupyterLab settings (see the Makefile's `lab` target), relative to the root.
COURSE_CONFIG = ".jupyter"

READY_TIMEOUT_S = 90.0
STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens, how to log in, where it logs."""

    base_url: str
    token: str
    log_path: Path
    pid: int
    root_dir: Path

    def url(self, path: str) -> str:
        """The URL of `path` on this server, with the login token."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path: str) -> object:
        """GET a JSON REST endpoint of the server, e.g. `api/kernelspecs`."""
        request = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def printed_urls(self) -> list[str]:
        """The URLs the server printed for the learner to open (the token shown as "...")."""
        return re.findall(rf"{re.escape(self.base_url)}/\S*", self.log_path.read_text(errors="replace"))

    def set_user_settings(self, plugin: str, values: dict) -> None:
        """Replace the user settings of a JupyterLab plugin, as its Settings editor would."""
        request = urllib.request.Request(
            f"{self.base_url}/lab/api/settings/{plugin}",
            data=json.dumps({"raw": json.dumps(values)}).encode(),
            method="PUT",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).close()

    def shut_down_kernels(self) -> None:
        """End every session and its kernel, so finished notebooks stop using CPU."""
        for session in self.api("api/sessions"):
            request = urllib.request.Request(
                f"{self.base_url}/api/sessions/{session['id']}",
                method="DELETE",
                headers={"Authorization": f"token {self.token}"},
            )
            urllib.request.urlopen(request, timeout=30).close()


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_lab_settings(settings_dir: Path, more: dict | None = None) -> None:
    """Write LAB_SETTINGS (and `more`, plugin -> values) where JupyterLab reads
    user settings (JUPYTERLAB_SETTINGS_DIR)."""
    for plugin, values in {**LAB_SETTINGS, **(more or {})}.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def isolated_env(scratch: Path, course_config: Path | None = None, user_settings: dict | None = None) -> dict:
    """Environment for the server: every per-user Jupyter/IPython directory is
    a fresh one under `scratch`, so a learner's own settings, workspaces,
    kernelspecs or startup files cannot change what the test sees. The
    course's settings in `course_config` apply, as `make lab` applies them;
    `user_settings` are what an earlier session left."""
    dirs = {
        "JUPYTERLAB_SETTINGS_DIR": scratch / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": scratch / "lab-workspaces",
        "JUPYTER_RUNTIME_DIR": scratch / "runtime",
        "JUPYTER_CONFIG_DIR": scratch / "config",
        "JUPYTER_DATA_DIR": scratch / "data",
        "IPYTHONDIR": scratch / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True)
    write_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"], user_settings)
    env = dict(os.environ)
    env.update({name: str(path) for name, path in dirs.items()})
    env.pop("JUPYTER_CONFIG_PATH", None)
    if course_config is not None:
        env["JUPYTER_CONFIG_PATH"] = str(course_config)
    # The kernel and the browser share 2 cores with the server; one BLAS thread
    # per process keeps the kernel from starving the others.
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _wait_until_ready(process: subprocess.Popen, server: LabServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {process.returncode} before it was ready; "
                f"its log is {server.log_path}:\n{_tail(server.log_path)}"
            )
        try:
            server.api("api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(
        f"JupyterLab did not answer on {server.base_url} within {READY_TIMEOUT_S:.0f} s; "
        f"its log is {server.log_path}:\n{_tail(server.log_path)}"
    )


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM lets the server shut its kernels down; whatever is still alive
    in its process group after the grace period (server or kernel) is killed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_lab(root_dir: Path, log_path: Path, user_settings: dict | None = None):
    """Run JupyterLab serving `root_dir` on a free loopback port with a random
    token, the course's settings and throwaway settings/workspaces/runtime
    directories (holding `user_settings`, plugin -> values, if given); yield a
    LabServer and stop the server (and its kernels) whatever happens."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlcore-lab-") as scratch, open(log_path, "w") as log:
        port = free_loopback_port()
        token = secrets.token_hex(24)
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            # window.jupyterapp lets the test read the notebook model and the
            # kernel's messages instead of guessing from the page's text.
            "--LabApp.expose_app_in_browser=True",
        ]
        if os.geteuid() == 0:
            # Containers and CI run as root; JupyterLab refuses that unless told.
            command.append("--ServerApp.allow_root=True")
        process = subprocess.Popen(
            command,
            env=isolated_env(Path(scratch), root_dir / COURSE_CONFIG, user_settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        server = LabServer(f"http://127.0.0.1:{port}", token, log_path, process.pid, root_dir)
        try:
            _wait_until_ready(process, server)
            yield server
        finally:
            _stop(process)
