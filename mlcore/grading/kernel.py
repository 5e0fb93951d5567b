"""The kernel a submission runs in: ipykernel on the grader's own Python.

A ``python3`` kernelspec found on the machine may point at another
interpreter (a user-wide Jupyter install, a conda base), which would grade
with different packages. The grader therefore ignores kernelspecs and always
launches ``sys.executable -m ipykernel_launcher``. On POSIX the kernel talks
over Unix sockets in a private temporary folder: no TCP ports to race for
when several kernels start at once (``--jobs``), and nothing reachable from
the network. With a ``sandbox`` (``sandbox.Sandbox``), the kernel starts
inside it: its command is prefixed with the jail's, it gets the jail's
environment and resource limits, and its connection file is handed to the
jail's user.
"""

import errno
import os
import shutil

from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any, Unicode, default

from .environment import GRADING_ENV_VAR


class ThisPythonKernelSpecs(KernelSpecManager):
    """A kernelspec lookup that answers every name with ipykernel on ``sys.executable``."""

    def get_kernel_spec(self, kernel_name):
        spec = get_kernel_dict()
        return KernelSpec(resource_dir=RESOURCES, argv=spec["argv"], display_name=spec["display_name"],
                          language=spec["language"], metadata=spec["metadata"])


class GradingKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, launching this Python over Unix sockets in ``socket_dir``."""

    socket_dir = Unicode("", config=True, help="An existing private folder for the kernel's Unix sockets; "
                                               "its owner removes it after the kernel has stopped.")
    sandbox = Any(None, config=True, help="A sandbox.Sandbox to start the kernel in, or None.")

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self.sandbox is None:
            return command
        if not shutil.which(command[0]):  # inside the jail this would only show as a dead kernel
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), command[0])
        return self.sandbox.command() + command

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox is not None:
            self.sandbox.chown(self.connection_file)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.sandbox is not None:
            kw["env"] = self.sandbox.environment(kw.get("env") or os.environ)
            kw["preexec_fn"] = self.sandbox.preexec
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self):
        return ThisPythonKernelSpecs(data_dir=self.data_dir)

    @default("connection_file")
    def _connection_file_default(self):
        return os.path.join(self.socket_dir, "kernel.json") if self.socket_dir else ""

    @default("transport")
    def _transport_default(self):
        return "ipc" if os.name == "posix" else "tcp"

    @default("ip")
    def _ip_default(self):
        if self.transport != "ipc":
            return super()._ip_default()
        if not self.socket_dir:
            raise RuntimeError("GradingKernelManager.socket_dir must name a folder for the kernel's sockets")
        # An absolute path: the kernel runs in the submission's folder, and a
        # relative socket path would resolve differently on the two sides.
        return os.path.join(self.socket_dir, "kernel")


def kernel_environment():
    """The environment of a grading kernel: the grader's own, plus the grading marker, and one
    BLAS thread (``--jobs`` runs kernels side by side; threads would only compete for the cores)."""
    return {**os.environ, GRADING_ENV_VAR: "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1"}
