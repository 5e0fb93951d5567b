"""Shared test set-up: torch as the oracle, one thread each for torch and numpy."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

try:
    import torch
except ImportError:  # the test extra installs torch; without it, oracle tests cannot run
    torch = None
else:
    # torch's and numpy's thread pools fight over the cores when both run in one process.
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)


# The notebooks under fixtures/ are inputs to the grader and browser tests,
# and some fail on purpose; nbval must not run them as notebooks of the course.
collect_ignore = ["fixtures"]


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same seeds."""
    import numpy as np

    import mlcore

    np.random.seed(0)
    mlcore.manual_seed(0)
    if torch is not None:
        torch.manual_seed(0)
