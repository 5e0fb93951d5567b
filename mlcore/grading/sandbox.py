"""A bubblewrap jail for each submission's kernel (Linux).

The kernel of a submission sees:

- the system (``/usr``, ``/etc``, ...), Python and the venv, and the ``mlcore``
  package, all read-only;
- a private copy of the submission's folder, at the folder's own path, as
  the only writable place besides a small private ``/tmp``;
- the folder of its Unix sockets, its only way to talk to the grader: it has
  no network (``--unshare-net``);
- its own PID namespace, as a user with no rights to anything else (a uid of
  its own when the grader runs as root), under resource limits: address
  space, file size, processes and CPU time.

The solutions folder, and the folders of the other submissions of the batch,
are mounted over with an empty folder that nobody may enter, so that
reading them fails with "Permission denied"; everything else of the
machine's is absent. Writing outside the private copy fails with "Read-only
file system" or "Permission denied".

bwrap is Debian's package ``bubblewrap``. ``available()`` says whether it is
installed and works here; without it, mlcore-grade warns once and runs
kernels unconfined.
"""

import functools
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap)"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
COPY_LIMIT = 200 * 2**20  # a submission's folder is copied up to this many bytes
MiB = 2**20


@dataclass(frozen=True)
class Limits:
    """Resource limits of a sandboxed kernel."""

    memory: int = 2 * 2**30  # RLIMIT_AS, bytes
    file_size: int = 256 * MiB  # RLIMIT_FSIZE: the largest file it may write
    processes: int = 256  # RLIMIT_NPROC: processes and threads of its user
    cpu_seconds: int = 600  # RLIMIT_CPU of the kernel process
    tmp_size: int = 256 * MiB  # the private /tmp


@functools.lru_cache(maxsize=1)
def available():
    """None if bwrap runs here, else why not (a sentence ending with the install hint)."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (bubblewrap), so submissions run without one on {sys.platform}"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return f"bwrap (bubblewrap) is not installed, so submissions run without a sandbox; {INSTALL_HINT}"
    try:
        done = subprocess.run([bwrap, *_system_binds(), "--unshare-net", "--unshare-pid", "--dev", "/dev",
                               "--proc", "/proc", "--", "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap cannot run ({error}), so submissions run without a sandbox; {INSTALL_HINT}"
    if done.returncode:
        return (f"bwrap cannot create a sandbox here ({done.stderr.strip() or done.returncode}), so "
                f"submissions run without one. It needs user namespaces, or to be run as root.")
    return None


class Sandbox:
    """The jail of one submission: its private folders, and the command that starts its kernel.

    Use as a context manager: the private folders are removed on exit.
    """

    def __init__(self, folder, hidden=(), limits=Limits(), keep=None):
        self.folder = Path(folder).resolve()
        self.hidden = [Path(path).resolve() for path in hidden]
        self.limits = limits
        self.uid = _sandbox_uid()
        # Without a uid of its own, the kernel shares the grader's user, and its process limit
        # counts that user's processes too.
        self.processes = limits.processes + (_own_processes() if self.uid is None else 0)
        self.root = Path(tempfile.mkdtemp(prefix="mlcore-sandbox-"))
        self.work = self.root / "work"
        self.sockets = self.root / "sockets"
        _private_copy(self.folder, self.work, self.hidden, Path(keep).resolve() if keep else None)
        self.sockets.mkdir()
        if self.uid is not None:
            for path in (self.root, self.sockets, *_tree(self.work)):
                os.lchown(path, self.uid, self.uid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.root, ignore_errors=True)

    def command(self):
        """The bwrap command line that runs a command in the jail (append the command)."""
        argv = [shutil.which("bwrap"), "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent"]
        argv += _system_binds()
        argv += ["--dev", "/dev", "--proc", "/proc",
                 "--size", str(self.limits.tmp_size), "--perms", "1777", "--tmpfs", "/tmp"]
        binds = sorted({*_python_dirs(), _package_dir()})
        argv += _parents(binds + [self.folder, self.sockets, *self.hidden])
        for path in binds:
            argv += ["--ro-bind", path, path]
        needed = [Path(path) for path in binds] + [self.folder, self.sockets]
        for path in self.hidden:
            # A hidden folder that holds something the jail needs (the output's folder may be the
            # course repository, which holds mlcore) stays absent instead: only that is bound.
            if path.is_dir() and not any(_contains(path, other) for other in needed):
                argv += ["--perms", "0000", "--tmpfs", str(path)]
        argv += ["--bind", str(self.work), str(self.folder), "--bind", str(self.sockets), str(self.sockets),
                 "--chdir", str(self.folder), "--unsetenv", "JPY_PARENT_PID"]
        if self.uid is not None:
            argv += ["--", shutil.which("setpriv"), "--reuid", str(self.uid), "--regid", str(self.uid),
                     "--clear-groups", "--no-new-privs"]
        return argv + ["--"]

    def preexec(self):
        """Run in the child before bwrap starts: resource limits, and SIGINT ignored by bwrap
        (the kernel sets its own handler), so that an interrupt stops the learner's code, not the jail."""
        import resource  # POSIX only, like the jail

        limits = self.limits
        for which, value in ((resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_FSIZE, limits.file_size),
                             (resource.RLIMIT_NPROC, self.processes), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(which, (value, value))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def environment(self, base):
        """The kernel's environment: ``base`` without the grader's own variables (which may hold
        secrets), and homes inside the private /tmp."""
        keep = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "MLCORE_GRADING", "OMP_NUM_THREADS",
                "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND")
        env = {key: base[key] for key in keep if key in base}
        env.update(HOME="/tmp", IPYTHONDIR="/tmp/.ipython", MPLCONFIGDIR="/tmp/.matplotlib",
                   PYTHONDONTWRITEBYTECODE="1")
        return env

    @property
    def socket_dir(self):
        """The folder for the kernel's Unix sockets (visible inside and outside the jail)."""
        return str(self.sockets)

    def chown(self, path):
        """Give a file the grader wrote for the kernel (its connection file) to the jail's user."""
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)


def _sandbox_uid():
    # As root, each worker process jails its kernels as a uid no account uses; otherwise the
    # kernel runs as the grader's own (unprivileged) user inside its user namespace.
    return 200_000 + os.getpid() % 100_000 if os.geteuid() == 0 else None


def _own_processes():
    uid = str(os.getuid())
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as status:
                    count += any(line.startswith("Uid:") and line.split()[1] == uid for line in status)
            except OSError:
                continue
    return count


@functools.lru_cache(maxsize=1)
def _system_binds():
    argv = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    return tuple(argv)


@functools.lru_cache(maxsize=1)
def _python_dirs():
    """The folders Python and its packages live in (resolved), outside the system folders."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    candidates |= {value for key, value in sysconfig.get_paths().items() if key != "include"}
    candidates |= {entry for entry in sys.path if entry and ("site-packages" in entry or "dist-packages" in entry)}
    found = set()
    for path in candidates:
        for variant in {path, os.path.realpath(path)}:
            if os.path.isdir(variant) and not variant.startswith(tuple(d + "/" for d in SYSTEM_DIRS)):
                found.add(variant)
    # Keep only the outermost folders: nested binds of the same tree are redundant.
    return tuple(sorted(path for path in found if not any(_contains(Path(other), Path(path)) and other != path
                                                           for other in found)))


def _package_dir():
    return str(Path(__file__).resolve().parents[1])


def _parents(paths):
    """``--dir`` for every parent folder of ``paths``, world-traversable: bwrap would make
    them private to root, which the jail's user cannot enter."""
    parents = set()
    for path in paths:
        parents.update(str(parent) for parent in Path(path).parents if str(parent) != "/")
    argv = []
    for parent in sorted(parents, key=lambda p: (p.count("/"), p)):
        if not parent.startswith(tuple(d + "/" for d in SYSTEM_DIRS)) and parent not in SYSTEM_DIRS \
                and parent != "/tmp":
            argv += ["--perms", "0755", "--dir", parent]
    return argv


def _contains(folder, path):
    return path == folder or folder in path.parents


def _private_copy(folder, target, hidden, keep):
    """Copy ``folder`` to ``target``: its files and subfolders (links as links, never followed),
    except notebooks other than ``keep`` (the submission), hidden paths, checkpoints, and
    anything past ``COPY_LIMIT`` bytes."""
    target.mkdir()
    budget = COPY_LIMIT
    for directory, subdirs, files in os.walk(folder):
        here = Path(directory)
        subdirs[:] = [name for name in subdirs if not name.startswith(".ipynb_checkpoints")
                      and not any(_contains(here / name, h) or _contains(h, here / name) for h in hidden)]
        destination = target / here.relative_to(folder)
        destination.mkdir(exist_ok=True)
        for name in files:
            source = here / name
            if any(_contains(h, source) for h in hidden) or (name.endswith(".ipynb") and source != keep):
                continue
            if source.is_symlink():
                os.symlink(os.readlink(source), destination / name)
                continue
            size = source.stat().st_size
            if size <= budget:
                shutil.copy2(source, destination / name)
                budget -= size


def _tree(folder):
    yield folder
    for directory, subdirs, files in os.walk(folder):
        for name in subdirs + files:
            yield Path(directory) / name
