"""Every public operation that builds a graph node has an entry in tests/oracle.py's CASES.

The catalogue drives the forward, backward, float32 and gradcheck tests, so an
operation missing from it is an operation no test compares with PyTorch. The
test below records which Tensor methods and mlcore functions the cases call
(directly, not through another operation), and fails for any public one that
is neither called nor listed here as building no graph node.
"""

import functools

import numpy as np
import pytest

import mlcore
from mlcore.tensor import Tensor
from oracle import CASES, Case, inputs_for, lib

# Tensor attributes that build no graph node: bookkeeping, conversions, in-place
# changes (refused on tensors that require grad) and comparisons (boolean results).
GRAPH_FREE_METHODS = {
    "backward", "detach", "dim", "from_op", "item", "numel", "numpy", "requires_grad_",
    "retain_grad", "size", "tolist", "zero_", "__pos__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__", "__setitem__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__init__", "__repr__", "__len__", "__bool__", "__float__", "__int__", "__array__",
}
# mlcore's functions that build no graph node: factories, grad mode, checks. (Classes
# such as no_grad are not functions.)
GRAPH_FREE_FUNCTIONS = {
    "tensor", "zeros", "ones", "arange", "rand", "randn", "manual_seed", "is_grad_enabled",
    "gradcheck", "cmp",
}


def _tensor_operations():
    """Tensor's public methods and properties, and the operators it defines itself."""
    names = set()
    for name, value in vars(Tensor).items():
        is_method = callable(value) or isinstance(value, (property, staticmethod))
        public = not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
        if is_method and public and name != "__hash__":
            names.add(name)
    return names - {"shape", "dtype", "ndim", "is_leaf", "op", "parents"}


def _mlcore_functions():
    return {name for name in mlcore.__all__
            if callable(getattr(mlcore, name)) and not isinstance(getattr(mlcore, name), type)}


def _recorder(calls, key, fn, depth):
    """`fn`, noting `key` in `calls` when a case calls it directly (not from inside another op)."""

    @functools.wraps(fn)
    def recorded(*args, **kwargs):
        if depth[0] == 0:
            calls.add(key)
        depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1

    return recorded


def _record(monkeypatch, cases):
    """Run `cases` on mlcore tensors; return the ('Tensor' | 'mlcore', name) pairs they called."""
    calls, depth = set(), [0]
    inputs = [[Tensor(a, requires_grad=True) for a in inputs_for(case)] for case in cases]
    for name in _tensor_operations():
        value = vars(Tensor)[name]
        if isinstance(value, property):
            wrapped = property(_recorder(calls, ("Tensor", name), value.fget, depth))
        elif isinstance(value, staticmethod):
            wrapped = staticmethod(_recorder(calls, ("Tensor", name), value.__func__, depth))
        else:
            wrapped = _recorder(calls, ("Tensor", name), value, depth)
        monkeypatch.setattr(Tensor, name, wrapped)
    for name in _mlcore_functions():
        monkeypatch.setattr(mlcore, name, _recorder(calls, ("mlcore", name), getattr(mlcore, name), depth))
    for case, tensors in zip(cases, inputs):
        case.fn(*tensors)
    return calls


def _missing(calls, lib):
    """Public graph-building names of `lib` ('Tensor' or 'mlcore') that `calls` does not hold."""
    names, graph_free = ((_tensor_operations(), GRAPH_FREE_METHODS) if lib == "Tensor"
                         else (_mlcore_functions(), GRAPH_FREE_FUNCTIONS))
    return sorted(names - graph_free - {name for kind, name in calls if kind == lib})


def test_every_graph_building_tensor_method_has_a_catalogue_entry(monkeypatch):
    missing = _missing(_record(monkeypatch, CASES), "Tensor")
    assert missing == [], (f"Tensor methods without a Case in tests/oracle.py: {missing}. Add a "
                           "Case for each, or list it in GRAPH_FREE_METHODS if it builds no graph node.")


def test_every_graph_building_mlcore_function_has_a_catalogue_entry(monkeypatch):
    missing = _missing(_record(monkeypatch, CASES), "mlcore")
    assert missing == [], (f"mlcore functions without a Case in tests/oracle.py: {missing}. Add a "
                           "Case for each, or list it in GRAPH_FREE_FUNCTIONS if it builds no graph node.")


def test_the_lists_of_graph_free_names_name_real_attributes():
    assert GRAPH_FREE_METHODS <= _tensor_operations()
    assert GRAPH_FREE_FUNCTIONS <= _mlcore_functions()


def test_a_new_method_without_a_case_is_reported(monkeypatch):
    monkeypatch.setattr(Tensor, "cube", lambda self: self * self * self, raising=False)
    assert "cube" in _missing(_record(monkeypatch, CASES), "Tensor")


def test_the_record_holds_direct_calls_of_every_kind_and_no_nested_ones(monkeypatch):
    cases = [Case("", lambda a, b: (2.0 - a.T).flatten() @ lib(b).exp(b)[0], [(3, 2), (2, 6)])]
    assert _record(monkeypatch, cases) == {("Tensor", "T"), ("Tensor", "__rsub__"),
                                           ("Tensor", "flatten"), ("mlcore", "exp"),
                                           ("Tensor", "__getitem__"), ("Tensor", "__matmul__")}
