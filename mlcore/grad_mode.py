"""Switching gradient tracking on and off (chapter 5).

Inside ``with mlcore.no_grad():`` operations build no graph, exactly as in
PyTorch: this is how optimizers update parameters and how a trained network is
evaluated without paying for a backward pass it will never run.
"""

import functools

# One flag for the whole process. PyTorch keeps it per thread; a notebook
# kernel runs widget callbacks and cells on one thread, so one flag is enough.
_enabled = True


def is_grad_enabled():
    """Return True when operations record a graph for backward()."""
    return _enabled


def _set_enabled(mode):
    global _enabled
    previous, _enabled = _enabled, mode
    return previous


class _GradMode:
    """A context manager and decorator that sets gradient tracking to `mode`."""

    mode = True

    def __new__(cls, fn=None):
        # Both ``@no_grad()`` and a bare ``@no_grad`` decorate, as in PyTorch.
        self = super().__new__(cls)
        return self if fn is None else self(fn)

    def __enter__(self):
        self._previous = _set_enabled(self.mode)

    def __exit__(self, *exc_info):
        _set_enabled(self._previous)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Context manager (or decorator) under which no graph is recorded.

    Results created inside it have ``requires_grad=False``, so ``backward()``
    cannot reach through them.
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager (or decorator) that turns tracking back on inside ``no_grad``."""

    mode = True
