"""``nn.Module``: the base class of every layer and network (chapters 5 and 7).

A Module keeps track of what is assigned to it: a ``Parameter`` is something
to learn, another ``Module`` is a part whose parameters belong to this one as
well. From that bookkeeping come ``parameters()`` (what the optimizer
updates), ``state_dict()`` (what is saved), ``zero_grad()`` and the printed
summary, all with PyTorch's names, order and format.
"""

from collections import OrderedDict, namedtuple

import numpy as np

from ..autograd import increment_version
from ..convert import to_numpy
from .functional._checks import float_dtype
from .parameter import Parameter

__all__ = ["Module"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for layers and networks, mirroring ``torch.nn.Module``.

    Subclass it, call ``super().__init__()`` first, assign layers and
    Parameters as attributes, and define ``forward``; ``net(x)`` runs forward.
    """

    def __init__(self):
        self.training = True
        self._parameters = OrderedDict()
        self._modules = OrderedDict()

    # ------------------------------------------------------- registration
    def __setattr__(self, name, value):
        attributes = self.__dict__
        if isinstance(value, (Parameter, Module)):
            self._register(name, value)
        elif name in attributes.get("_parameters", ()) or name in attributes.get("_modules", ()):
            self._unregister(name, value)
        object.__setattr__(self, name, value)

    def _register(self, name, value):
        kind = "parameter" if isinstance(value, Parameter) else "layer"
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign the {kind} '{name}' before Module.__init__() has run. Call "
                f"super().__init__() as the first line of {type(self).__name__}.__init__."
            )
        mine, other = ((self._parameters, self._modules) if kind == "parameter"
                       else (self._modules, self._parameters))
        other.pop(name, None)
        mine[name] = value

    def _unregister(self, name, value):
        """Setting a registered name to None leaves an empty slot (as ``bias=False`` does)."""
        if name in self._parameters:
            registry, kind, wanted = self._parameters, "parameter", "nn.Parameter"
        else:
            registry, kind, wanted = self._modules, "layer", "nn.Module"
        if value is not None:
            raise TypeError(
                f"cannot assign a {type(value).__name__} to '{name}', which is a {kind} of this "
                f"module: assign a {wanted} or None. To change the values of a parameter, write "
                f"into its array instead (net.{name}.data[...] = ...)."
            )
        registry[name] = None

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register `param` (a Parameter, or None for an absent one such as ``bias=False``)."""
        if param is None:
            self._parameters[name] = None
            object.__setattr__(self, name, None)
        elif isinstance(param, Parameter):
            setattr(self, name, param)
        else:
            raise TypeError(
                f"register_parameter() needs an nn.Parameter or None, but got "
                f"{type(param).__name__}; wrap the tensor: nn.Parameter(t)."
            )

    def add_module(self, name, module):
        """Register `module` as a part of this one under `name` (Sequential uses "0", "1", ...)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"add_module() needs an nn.Module, but got {type(module).__name__}.")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    # ------------------------------------------------------------ forward
    def forward(self, *inputs):
        raise NotImplementedError(
            f"{type(self).__name__} has no forward() method. A subclass of nn.Module must define "
            f"`def forward(self, x):` returning the output; calling net(x) runs it. Check that it "
            f"is spelled `forward` and indented inside the class."
        )

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # --------------------------------------------------------- traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield (name, module) for this module and every module inside it, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                                remove_duplicate)

    def modules(self):
        """Yield this module and every module inside it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield (name, module) for the direct parts of this module."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        """Yield the direct parts of this module (not their parts)."""
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield (name, parameter) with PyTorch's names: "fc1.weight", "0.bias" in a Sequential."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, param in module._parameters.items():
                if param is None or (remove_duplicate and param in seen):
                    continue
                seen.add(param)
                yield (f"{module_prefix}.{name}" if module_prefix else name), param

    def parameters(self, recurse=True):
        """Yield every parameter, in definition order: what an optimizer updates."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def apply(self, fn):
        """Call ``fn(module)`` on every part, then on this module (e.g. to re-initialise)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ modes
    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode on this module and its parts."""
        if not isinstance(mode, bool):
            raise ValueError(f"train() expects True or False, but got {mode!r}.")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters before the next backward pass (chapter 5).

        Gradients add up across ``backward()`` calls, so a training loop clears
        them every step. ``set_to_none=True`` (PyTorch's default) sets ``.grad``
        to None; ``False`` fills the existing arrays with zeros.
        """
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.fill(0)

    # -------------------------------------------------------------- dtype
    def to(self, dtype):
        """Convert every parameter (and gradient) to `dtype` in place and return the module."""
        dtype = float_dtype("Module.to()", dtype, " mlcore runs on the CPU only, so there is "
                                                  "no device to move to.")
        for param in self.parameters():
            param.data = param.data.astype(dtype, copy=False)
            if param.grad is not None:
                param.grad = param.grad.astype(dtype, copy=False)
        return self

    def double(self):
        """Convert the parameters to float64 in place."""
        return self.to(np.float64)

    def float(self):
        """Convert the parameters to float32 in place (PyTorch's ``float`` means 32 bits)."""
        return self.to(np.float32)

    # --------------------------------------------------------- state dict
    def state_dict(self):
        """An ordered dict mapping each parameter's name to a copy of its numpy array.

        Keys are PyTorch's, so ``torch_net.load_state_dict({k: torch.from_numpy(v) ...})``
        loads it, and ``net.load_state_dict(torch_net.state_dict())`` goes the other way.
        """
        return OrderedDict((name, param.data.copy())
                           for name, param in self.named_parameters(remove_duplicate=False))

    def load_state_dict(self, state_dict, strict=True):
        """Copy the arrays of `state_dict` into the parameters, in place.

        Values may be numpy arrays, mlcore tensors or torch tensors. With
        ``strict=True`` every key must match; shapes must always match. Nothing
        is copied unless everything fits. Returns (missing_keys, unexpected_keys).
        """
        own = OrderedDict(self.named_parameters(remove_duplicate=False))
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        values, errors = {}, []
        for key, param in own.items():
            if key not in state_dict:
                continue
            values[key] = to_numpy(state_dict[key])
            if values[key].shape != param.data.shape:
                errors.append(_shape_mismatch(key, values[key].shape, param.data.shape))
        if strict and missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if strict and unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                + "\n  ".join(errors)
                + ("\nThe saved weights come from a different architecture: compare "
                   "list(state_dict) with list(net.state_dict()), or pass strict=False to load "
                   "only the keys that match." if missing or unexpected else "")
            )
        for key, value in values.items():
            np.copyto(own[key].data, value, casting="same_kind")
            increment_version(own[key])  # as torch: a graph built on the old weights is stale
        return IncompatibleKeys(missing, unexpected)

    # -------------------------------------------------------------- repr
    def extra_repr(self):
        """The settings shown between this module's parentheses, e.g. "in_features=2, ..."."""
        return ""

    def __repr__(self):
        """PyTorch's format: one line per part, indented, e.g. "(0): Linear(...)"."""
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = [f"({name}): " + repr(module).replace("\n", "\n  ")
                    for name, module in self._modules.items()]
        if len(lines) == 1 and not children:
            return f"{type(self).__name__}({lines[0]})"
        body = lines + children
        return f"{type(self).__name__}(" + ("\n  " + "\n  ".join(body) + "\n" if body else "") + ")"


def _shape_mismatch(key, saved, current):
    message = (
        f"size mismatch for {key}: copying a param with shape {saved} from the state_dict, "
        f"the shape in the current model is {current}."
    )
    if len(saved) == 2 and saved == current[::-1]:
        message += (" The saved array looks transposed: a Linear weight is "
                    "(out_features, in_features).")
    return message
