"""``to_numpy``: the one way mlcore turns a value into a numpy array (all chapters).

Comparing with PyTorch (``mlcore.compare``), loading saved weights
(``Module.load_state_dict``) and checking a learner's answer all receive values
of many kinds: mlcore tensors, PyTorch tensors, numpy arrays, numbers, lists.
They all read them through this function, so each kind is handled once.
"""

import numpy as np

__all__ = ["to_numpy"]


def to_numpy(x, dtype=None):
    """``x`` as a numpy array, of ``dtype`` if given (otherwise the dtype ``x`` has).

    - a PyTorch tensor: its values, detached from PyTorch's graph (torch is not imported);
    - an mlcore Tensor or Parameter, or any object whose ``.data`` is a numpy array:
      that array;
    - anything else (a numpy array, a number, a nested list): ``np.asarray(x, dtype)``.

    Like ``np.asarray``, the result shares memory with ``x`` where it can, so copy it
    before changing it. Nothing is refused here: ``None`` or a string becomes an
    object or string array, and a caller that needs numbers checks for them and says
    what is wrong in its own words.
    """
    if type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    elif not isinstance(x, np.ndarray) and isinstance(getattr(x, "data", None), np.ndarray):
        x = x.data
    return np.asarray(x, dtype=dtype)
