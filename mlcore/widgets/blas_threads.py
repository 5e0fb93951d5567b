"""One BLAS thread for the matrix products a panel computes in the kernel (chapter 8's panels).

numpy's BLAS (OpenBLAS) splits a large matrix product over every core it
finds. Chapter 8's panels run a convolutional network, whose products are
large enough to be split, but too small to gain from it on a machine whose
cores are busy with other work: the threads then wait for each other, and a
panel that answers in 15 ms on one thread can take 90. The course's budgets
(30 ms per control, 45 s of training) are for one core, so these panels use
one thread.
"""

import contextlib

__all__ = ["one_blas_thread"]

_controller = None


def one_blas_thread():
    """A context manager under which numpy's BLAS runs on one thread (a no-op without threadpoolctl)."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # threadpoolctl is in the course's install; without it the panels only run slower
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
