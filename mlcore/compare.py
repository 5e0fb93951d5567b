"""Comparing mlcore's numbers with PyTorch's, one aligned row per tensor (all chapters).

In the style of the ``cmp`` helper of Karpathy's zero-to-hero notebooks:
a manual or mlcore result is held against the framework's, intermediate by
intermediate, so the first disagreement shows where a bug lives.
"""

import numpy as np

from .convert import to_numpy


def cmp(name, ours, theirs, rtol=1e-7, atol=1e-10, width=16):
    """Print ``name | exact | allclose | max abs diff`` for two values and return allclose.

    `ours` is typically an mlcore result and `theirs` PyTorch's; either may be a
    tensor of either library, a numpy array or a number.
    """
    a, b = to_numpy(ours, np.float64), to_numpy(theirs, np.float64)
    if a.shape != b.shape:
        print(f"{name:<{width}} | shape mismatch: {a.shape} vs {b.shape}")
        return False
    exact = bool(np.array_equal(a, b))
    close = bool(np.allclose(a, b, rtol=rtol, atol=atol))
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    print(f"{name:<{width}} | exact: {exact!s:<5} | allclose: {close!s:<5} | max abs diff: {diff:.2e}")
    return close
