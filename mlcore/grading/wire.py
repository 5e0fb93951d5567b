"""The data that crosses between mlcore-grade's referee and a submission's kernel: JSON, never code.

Arrays travel as their raw bytes in base64, with a dtype that must be plain
data (numbers, text, bytes, times: never ``object`` or a structured dtype),
and a shape that must match the bytes; so a payload can carry numbers, text
and arrays but nothing that runs, as ``np.load(..., allow_pickle=False)`` would.
``encode`` and ``decode`` run on both sides: the referee encodes the inputs
of a call and decodes its result; the kernel does the reverse. The referee
reads only what ``decode`` accepts, within ``MAX_BYTES`` and ``MAX_NODES``.

Values and what they become on the other side:

- None, bool, int, float, complex, str, bytes, and lists, tuples and dicts
  of them: the same (a subclass of str, int or float arrives as its base type);
- numpy arrays and scalars: the same dtype and shape (object arrays excepted);
- mlcore Tensors: a Tensor with the same data, ``requires_grad`` and ``grad``;
  torch tensors: a torch tensor with the same data;
- numpy random Generators (``np.random.default_rng(seed)``): a Generator with the
  same bit generator and state, so that it draws the same numbers;
- functions, classes and other objects defined at module level in an
  importable module (``mlcore.feedback.best_constant.MSE``), and
  ``functools.partial`` of them: a reference by name, resolved on the other
  side by importing the module. The referee sends these to the learner's
  code (a loss to minimise, a gradient to descend); they never come back;
- instances of such a dataclass (chapter 4's ``Program``), whose fields are data:
  their class by name and their fields, built again in the kernel (referee to
  kernel only, like references);
- an iterator the learner's code returned (a generator), which the kernel has run
  to its end: ``Iterated`` (its type's name, its repr, its items and what it
  raised instead of stopping, if anything);
- an exception: ``Raised`` (type name, builtin base, message), re-raised as
  an exception of that name by the referee;
- anything else the kernel holds: a callable becomes a handle the referee
  can call again (``Handle``); any other object an ``Opaque`` stand-in with
  its type name, its repr and, if it converts to a float array, that array.
"""

import base64
import builtins
import dataclasses
import functools
import importlib
import json
import sys
from dataclasses import dataclass

import numpy as np

# Array dtypes that are plain data: booleans, integers, floats, complex, text, bytes, times.
_ARRAY_KINDS = "biufcUSMm"
MAX_BYTES = 16 * 2**20  # one payload: a result of a few arrays needs far less
MAX_NODES = 100_000
MAX_DEPTH = 40
REPR_WIDTH = 200
MAX_ITEMS = 10_000  # the items of one iterator the kernel reads
# The bit generators of numpy's Generators, by the name their state gives.
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class WireError(ValueError):
    """A payload that breaks the format or its limits."""


@dataclass(frozen=True)
class Handle:
    """A callable that stays in the kernel: its number there, its ``__name__`` (or None), and
    its type's name and its repr, as the kernel shows them."""

    number: int
    name: object
    type_name: str = "function"
    text: str = "<function>"


@dataclass(frozen=True)
class Iterated:
    """An iterator that a call returned, run to its end in the kernel: its type's name and
    repr, the ``items`` it gave, and ``raised``: what it raised instead of stopping (a
    ``Failure`` on the kernel's side, a ``Raised`` on the referee's), or None."""

    type_name: str
    text: str
    items: list
    raised: object = None


@dataclass(frozen=True)
class Raised:
    """What a call raised in the kernel."""

    type_name: str
    base: str  # the nearest builtin exception class of its type
    message: str
    args: object = None  # the exception's args when they are plain data, else None
    errno: object = None
    filename: object = None


# ---- encoding ---------------------------------------------------------------------------

def dumps(value, *, handles=None, limit=MAX_BYTES):
    """``value`` as a JSON text; ``WireError`` if it is larger than ``limit`` bytes.

    ``handles`` (kernel side): a dict that callables are stored in, so that they
    travel as ``Handle``s; without it (referee side) a callable must be a
    reference by name.
    """
    text = json.dumps(_encode(value, handles, 0, [0]), separators=(",", ":"))
    if len(text) > limit:
        raise WireError(f"the data is {_size(len(text))}, more than the {_size(limit)} limit of one message")
    return text


def _size(count):
    return f"{count / 2**20:.3g} MiB" if count >= 2**20 else f"{count / 2**10:.3g} KiB"


def _encode(value, handles, depth, count):
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_NODES:
        raise WireError(f"the data holds more than {MAX_NODES} values (use an array) or is nested "
                        f"more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if value is MISSING:
        return {"t": "missing"}
    if kind is Failure:
        return raised(value.error)
    if kind is bool:
        return {"t": "bool", "v": value}
    if isinstance(value, np.generic):
        return _npy("scalar", np.asarray(value))
    if isinstance(value, int):
        return {"t": "int", "v": str(int.__int__(value))}
    if isinstance(value, float):
        return {"t": "float", "v": repr(float.__float__(value))}
    if isinstance(value, complex):
        return {"t": "complex", "v": [repr(value.real), repr(value.imag)]}
    if isinstance(value, str):
        return {"t": "str", "v": str.__str__(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"t": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if kind in (list, tuple):
        return {"t": kind.__name__, "v": [_encode(item, handles, depth + 1, count) for item in value]}
    if kind is dict:
        return {"t": "dict", "v": [[_encode(k, handles, depth + 1, count), _encode(v, handles, depth + 1, count)]
                                   for k, v in value.items()]}
    if isinstance(value, np.ndarray) and value.dtype != object:
        return _npy("array", np.asarray(value))
    if _is_mlcore_tensor(value):
        return {"t": "tensor", "data": _npy("array", np.asarray(value.data)),
                "requires_grad": bool(value.requires_grad),
                "grad": None if value.grad is None else _npy("array", np.asarray(value.grad))}
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return {"t": "torch", "data": _npy("array", value.detach().cpu().numpy())}
    if isinstance(value, np.random.Generator):
        return {"t": "rng", "state": _encode(value.bit_generator.state, handles, depth + 1, count)}
    if kind is Iterated:
        return {"t": "iterator", "type": value.type_name, "repr": value.text,
                "items": [_encode(item, handles, depth + 1, count) for item in value.items],
                "raised": _encode(value.raised, handles, depth + 1, count)}
    if isinstance(value, functools.partial):
        return {"t": "partial", "func": _encode(value.func, handles, depth + 1, count),
                "args": [_encode(a, handles, depth + 1, count) for a in value.args],
                "kwargs": [[k, _encode(v, handles, depth + 1, count)] for k, v in value.keywords.items()]}
    if handles is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        reference = _reference(type(value))
        if reference:
            return {"t": "dataclass", "module": reference[0], "name": reference[1],
                    "fields": [[field.name, _encode(getattr(value, field.name), handles, depth + 1, count)]
                               for field in dataclasses.fields(value) if field.init]}
    if handles is None:  # the referee's side: a function goes by name
        reference = _reference(value)
        if reference:
            return {"t": "ref", "module": reference[0], "name": reference[1]}
        raise WireError(f"{value!r:.80} cannot be sent to the learner's kernel: pass numbers, text and "
                        f"arrays, or a function defined at module level in mlcore (for example in "
                        f"mlcore.feedback), which the kernel imports by name")
    if callable(value):
        number = len(handles) + 1
        handles[number] = value
        name = getattr(value, "__name__", None)
        return {"t": "handle", "n": number, "name": name if isinstance(name, str) else None,
                "type": name_of(type(value)), "repr": repr_of(value)}
    return _opaque(value)


def _npy(kind, array):
    if array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields is not None:
        raise WireError(f"an array of dtype {array.dtype} is not plain data")
    return {"t": kind, "dtype": array.dtype.str, "shape": list(array.shape),
            "b64": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")}


def _is_mlcore_tensor(value):
    tensor = sys.modules.get("mlcore.tensor")
    return tensor is not None and isinstance(value, tensor.Tensor)


def _reference(value):
    """``(module, qualified name)`` of a module-level object that importing finds again, or None."""
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if isinstance(module, str) and isinstance(name, str) and "<" not in name:
        if _resolve(module, name, import_module=False) is value:
            return module, name
    # An object (not a function) bound to a module-level name of a loaded mlcore module.
    for module_name, loaded in list(sys.modules.items()):
        if module_name.startswith("mlcore.") and loaded is not None:
            for attribute, candidate in vars(loaded).items():
                if candidate is value and not attribute.startswith("_"):
                    return module_name, attribute
    return None


def _resolve(module, name, import_module=True):
    try:
        target = importlib.import_module(module) if import_module else sys.modules[module]
        for part in name.split("."):
            target = getattr(target, part)
        return target
    except (ImportError, KeyError, AttributeError):
        return None


def repr_of(value):
    """``repr(value)``, at most ``REPR_WIDTH`` characters, and a stand-in text if it raises."""
    try:
        text = repr(value)
    except Exception as error:  # noqa: BLE001 -- a repr that raises is the object's own business
        text = f"<{type(value).__name__} object (its repr raised {type(error).__name__})>"
    return text[:REPR_WIDTH] if isinstance(text, str) else "<object>"


def _opaque(value):
    node = {"t": "opaque", "type": name_of(type(value)), "repr": repr_of(value)}
    try:
        with np.errstate(all="ignore"):
            node["array"] = _npy("array", np.asarray(value, dtype=np.float64))
    except Exception:  # noqa: BLE001 -- not a number: it stays opaque
        pass
    data = getattr(value, "data", None) if not isinstance(value, type) else None
    if isinstance(data, np.ndarray) and data.dtype != object:
        node["data"] = _npy("array", data)
    return node


def name_of(kind):
    """The ``__name__`` of the type ``kind`` if it is an identifier, else "object"."""
    name = getattr(kind, "__name__", "object")
    return name if isinstance(name, str) and name.isidentifier() else "object"


class Failure:
    """Wraps an exception for ``dumps``, which sends it as a ``Raised`` record."""

    def __init__(self, error):
        self.error = error


def raised(error):
    """The ``Raised`` record of ``error``, as a JSON-ready node."""
    base = next(klass.__name__ for klass in type(error).__mro__
                if getattr(builtins, klass.__name__, None) is klass)
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 -- an exception whose str raises still has a name
        message = ""
    node = {"t": "raised", "type": name_of(type(error)), "base": base, "message": message[:4000]}
    if type(error).__module__ == "builtins":
        try:
            node["args"] = _encode(error.args, None, 0, [0])
        except WireError:
            pass
    if isinstance(error, OSError):
        node["errno"] = error.errno if isinstance(error.errno, int) else None
        node["filename"] = error.filename if isinstance(error.filename, str) else None
    return node


# ---- decoding ---------------------------------------------------------------------------

def loads(text, *, limit=MAX_BYTES, resolve=False):
    """The value a ``dumps`` text holds; ``WireError`` for anything outside the format.

    ``resolve`` (kernel side only): turn references by name into the objects
    they name, importing their modules. The referee never resolves anything.
    """
    if not isinstance(text, str) or len(text) > limit:
        raise WireError(f"a message must be a JSON text of at most {_size(limit)}")
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"a message is not valid JSON ({error})") from None
    counter = [0]
    return _decode(tree, resolve, counter, 0)


def _decode(node, resolve, counter, depth):
    counter[0] += 1
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        raise WireError(f"a message holds more than {MAX_NODES} values or is nested too deeply")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise WireError("a message holds a value without a type tag")
    kind = node["t"]
    value = node.get("v")
    child = functools.partial(_decode, resolve=resolve, counter=counter, depth=depth + 1)
    try:
        if kind == "none":
            return None
        if kind == "bool":
            return bool(_typed(value, bool))
        if kind == "int":
            return int(_typed(value, str))
        if kind == "float":
            return float(_typed(value, str))
        if kind == "complex":
            real, imag = _typed(value, list)
            return complex(float(real), float(imag))
        if kind == "str":
            return _typed(value, str)
        if kind == "bytes":
            return base64.b64decode(_typed(value, str), validate=True)
        if kind in ("list", "tuple"):
            items = [child(item) for item in _typed(value, list)]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {child(k): child(v) for k, v in _typed(value, list)}
        if kind == "array":
            return _load_npy(node)
        if kind == "scalar":
            return _load_npy(node)[()]
        if kind == "tensor":
            from ..factories import tensor

            result = tensor(child(node["data"]), requires_grad=bool(node.get("requires_grad")))
            if node.get("grad") is not None:
                result.grad = child(node["grad"])
            return result
        if kind == "torch":
            import torch

            return torch.from_numpy(child(node["data"]))
        if kind == "rng":
            return _load_rng(child(node["state"]))
        if kind == "iterator":
            raised = child(node["raised"])
            if not (raised is None or isinstance(raised, Raised)):
                raise WireError("an iterator's end is neither None nor an exception")
            return Iterated(_typed(node["type"], str)[:100], _typed(node["repr"], str)[:REPR_WIDTH],
                            [child(item) for item in _typed(node["items"], list)], raised)
        if kind == "dataclass":
            if not resolve:
                raise WireError("a reference by name can only be sent to the kernel, not back")
            cls = _resolve(_typed(node["module"], str), _typed(node["name"], str))
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
                raise WireError(f"{node['module']}.{node['name']} is not a dataclass the kernel can import")
            return cls(**{_typed(name, str): child(value) for name, value in _typed(node["fields"], list)})
        if kind in ("ref", "partial"):
            if not resolve:
                raise WireError("a reference by name can only be sent to the kernel, not back")
            if kind == "partial":
                return functools.partial(child(node["func"]), *[child(a) for a in node["args"]],
                                         **{_typed(k, str): child(v) for k, v in node["kwargs"]})
            target = _resolve(_typed(node["module"], str), _typed(node["name"], str))
            if target is None:
                raise WireError(f"{node['module']}.{node['name']} cannot be imported in the kernel")
            return target
        if kind == "handle":
            name = node.get("name")
            return Handle(int(node["n"]), name if isinstance(name, str) else None,
                          _typed(node["type"], str)[:100], _typed(node["repr"], str)[:REPR_WIDTH])
        if kind == "opaque":
            return _stand_in(node, child)
        if kind == "raised":
            return Raised(_typed(node["type"], str)[:100], _typed(node["base"], str)[:100],
                          _typed(node["message"], str), child(node["args"]) if "args" in node else None,
                          node.get("errno") if isinstance(node.get("errno"), int) else None,
                          node.get("filename") if isinstance(node.get("filename"), str) else None)
        if kind == "missing":
            return MISSING
    except WireError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise WireError(f"a message holds a malformed {kind!r} value ({error})") from None
    raise WireError(f"a message holds an unknown type tag {kind!r}")


def _load_rng(state):
    """A numpy Generator in ``state`` (a ``bit_generator.state`` dict), with no code run but numpy's."""
    name = _typed(state, dict).get("bit_generator")
    if name not in _BIT_GENERATORS:
        raise WireError(f"{name!r} is not one of numpy's bit generators {', '.join(_BIT_GENERATORS)}")
    bit_generator = getattr(np.random, name)()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _typed(value, kind):
    if not isinstance(value, kind):
        raise WireError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _load_npy(node):
    dtype = np.dtype(_typed(node["dtype"], str))
    if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None:
        raise WireError(f"an array of dtype {dtype} is not plain data")
    shape = tuple(int(_typed(size, int)) for size in _typed(node["shape"], list))
    raw = base64.b64decode(_typed(node["b64"], str), validate=True)
    if any(size < 0 for size in shape) or len(raw) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise WireError("an array's bytes do not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Missing:
    """A name the kernel does not define."""

    def __repr__(self):
        return "MISSING"


MISSING = Missing()


class Opaque:
    """Stands in, on the referee's side, for an object of the kernel that is not data."""

    def __repr__(self):
        return self._repr


@functools.lru_cache(maxsize=256)
def _opaque_class(name):
    # A class of the kernel object's name, so that messages read "(type EqualsEverything)".
    return type(name, (Opaque,), {"__module__": "kernel"})


def _stand_in(node, child):
    stand_in = _opaque_class(_typed(node["type"], str)[:100])()
    stand_in._repr = _typed(node["repr"], str)[:REPR_WIDTH]
    if "array" in node:
        array = child(node["array"])
        stand_in.__class__ = type(stand_in.__class__.__name__, (stand_in.__class__,),
                                  {"__array__": lambda self, dtype=None, copy=None: array.astype(dtype)
                                   if dtype else array, "__module__": "kernel"})
    if "data" in node:
        stand_in.data = child(node["data"])
    return stand_in
