"""The base class of every optimizer: parameter groups, zero_grad and state_dict (chapters 3 and 6).

It mirrors ``torch.optim.Optimizer``. A *parameter* is any object with

* ``.data``: a floating-point numpy array, which the optimizer updates in place
  (``p.data`` stays the same array object, so views and plots of it stay live);
* ``.grad``: a numpy array of the same shape, or ``None``. A parameter whose
  ``.grad`` is ``None`` is skipped, as PyTorch skips it.

``mlcore.tensor(..., requires_grad=True)`` and ``nn.Parameter`` are such objects,
for a whole network as well as for a single 2-element point on a loss surface.
"""

import copy
import numbers
from collections import defaultdict

import numpy as np

from ..autograd import increment_version


class Optimizer:
    """Base class: holds ``param_groups`` and ``state``; subclasses define the update rule.

    ``params`` is an iterable of parameters, or of dicts (parameter groups) such as
    ``[{"params": [w1, b1], "lr": 0.1}, {"params": [w2, b2]}]``; a group's missing
    hyper-parameters are taken from ``defaults``. Schedulers change ``group["lr"]``.

    Every optimizer of mlcore is written the same way: it defines ``_update(p, group)``,
    which updates one parameter in place from its gradient (the formula of its
    docstring), and ``_check_hyperparameters(group)``, which raises ``ValueError`` for
    bad values. ``step()`` is written once, here. (A learner's optimizer may still
    define ``step()`` itself, looping over ``param_groups``, as in PyTorch.)
    """

    def __init__(self, params, defaults):
        self._check_hyperparameters(defaults)
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        # Scratch arrays reused by every step so that an update allocates nothing;
        # they are not optimizer state, so state_dict leaves them out.
        self._scratch = {}

        groups = _params_as_list(params, type(self).__name__)
        if not groups:
            raise ValueError(
                "optimizer got an empty parameter list. Pass the parameters to optimize, "
                f"e.g. {type(self).__name__}(model.parameters(), lr=0.1) or "
                f"{type(self).__name__}([w, b], lr=0.1). If you passed model.parameters(), "
                "check that the model keeps its layers and parameters as attributes (ones "
                "hidden in a plain Python list are not found) and that the generator was "
                "not already used up, e.g. by an earlier list(...) or another optimizer."
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines + [")"])

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyper-parameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"param_group must be a dict like {{'params': [w, b], 'lr': 0.1}}, "
                f"but got {type(param_group).__name__}."
            )
        if "params" not in param_group:
            raise KeyError(
                f"a parameter group must hold its parameters under the key 'params', but this "
                f"one has only {sorted(param_group)}. Write it as {{'params': [w, b], "
                "'lr': 0.1}: 'params' lists the parameters, the other keys are the group's "
                "own hyper-parameters."
            )
        params = param_group["params"]
        if _is_parameter(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters must be in an ordered collection such as a list, not a "
                "set: the order of a set changes between runs, so state_dict() could not "
                "match saved state to parameters. Use a list instead."
            )
        param_group["params"] = list(params)
        for p in param_group["params"]:
            _check_parameter(p)
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        self._check_hyperparameters(param_group)

        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError(
                "some parameters appear in more than one parameter group. Each parameter "
                "must belong to exactly one group, or it would be updated twice per step."
            )
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters before the next backward pass (chapter 5).

        Gradients accumulate: ``backward()`` adds to ``.grad``. By default ``.grad``
        becomes ``None``, as in PyTorch; ``set_to_none=False`` fills it with zeros instead.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0)

    def step(self, closure=None):
        """Update every parameter that has a gradient once; return ``closure()`` if given.

        This loop is the one place where every optimizer's ``_update`` runs, so whatever
        must happen to each updated parameter happens here.
        """
        loss = None if closure is None else closure()
        # In a small network this loop is a noticeable share of a training step, so
        # the method is looked up once and the cheap test on the gradient comes first.
        update = self._update
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if type(grad) is not np.ndarray or grad.shape != p.data.shape:
                    self._check_gradient(p)
                update(p, group)
                increment_version(p)  # a graph that read the old values must not backpropagate
        return loss

    def state_dict(self):
        """Return ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        The structure is PyTorch's: parameters are replaced by their position across all
        groups. Unlike PyTorch, the arrays are copies, so the returned dict is a snapshot
        that further training does not change.
        """
        index = {}
        param_groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            param_groups.append(packed)
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by ``state_dict()`` (arrays are copied)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups but this optimizer "
                f"has {len(self.param_groups)}. Build the optimizer with the same groups as "
                "the one whose state_dict() was saved."
            )
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict has {len(saved['params'])} parameters in group {i} but "
                    f"this optimizer has {len(group['params'])}. Was it saved from a different "
                    "model? Build the optimizer from the same parameters, in the same order."
                )
        param_at = {
            index: p
            for saved, group in zip(saved_groups, self.param_groups)
            for index, p in zip(saved["params"], group["params"])
        }

        state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            p = param_at[index]
            state[p] = {key: _copy_for(p, index, key, value) for key, value in saved_state.items()}
        self.state = state
        self.param_groups = [
            {**copy.deepcopy({k: v for k, v in saved.items() if k != "params"}),
             "params": group["params"]}
            for saved, group in zip(saved_groups, self.param_groups)
        ]

    def _check_hyperparameters(self, group):
        """Raise ValueError for a bad hyper-parameter in ``group``; the base class accepts all."""

    def _update(self, p, group):
        """Update parameter ``p`` in place from ``p.grad`` with the hyper-parameters of ``group``."""
        raise NotImplementedError(
            f"{type(self).__name__} must define step(), or _update(p, group) to update one "
            "parameter, as the optimizers in mlcore.optim do."
        )

    def _with_weight_decay(self, theta, grad, weight_decay):
        """``grad + weight_decay * theta``: the gradient with an L2 penalty added (chapter 6).

        Adding ``weight_decay / 2 * ||theta||^2`` to the loss adds ``weight_decay * theta``
        to its gradient, which pulls every parameter towards zero. The sum goes into a
        scratch array, so ``p.grad`` stays as backward() left it.
        """
        decayed = np.multiply(theta, weight_decay, out=self._buffer(theta, slot=0))
        decayed += grad
        return decayed

    def _check_gradient(self, p):
        """Refuse a ``.grad`` that is not a numpy array (or a number) of ``p``'s shape."""
        grad = p.grad
        is_numeric = isinstance(grad, (np.ndarray, numbers.Number))
        if is_numeric and np.shape(grad) == p.data.shape:
            return
        group_index, param_index = next((g, i) for g, group in enumerate(self.param_groups)
                                        for i, q in enumerate(group["params"]) if q is p)
        where = f"parameter {param_index} of parameter group {group_index}"
        if not is_numeric:
            raise TypeError(
                f"{where} has a .grad of type {type(grad).__name__}, but a gradient must be a "
                f"numpy array of the parameter's shape {p.data.shape}. Set it with "
                "p.grad = numpy.array(...), or from a tensor t with p.grad = t.data."
            )
        raise ValueError(
            f"{where} has data of shape {p.data.shape} but a gradient of shape "
            f"{np.shape(grad)}. A gradient must have the shape of its parameter; check the "
            "code that set .grad (numpy would silently broadcast a wrong shape)."
        )

    def _buffer(self, like, slot=0):
        """A scratch array shaped like ``like``, reused by every step (``slot``: which one)."""
        key = (slot, like.shape, like.dtype)
        buffer = self._scratch.get(key)
        if buffer is None:
            buffer = self._scratch[key] = np.empty_like(like)
        return buffer


def check_number(value, torch_name, meaning):
    """Raise TypeError, followed by ``meaning``, unless ``value`` is a real number (not a bool).

    A string such as "0.1" would otherwise be accepted here and fail only at the first step.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{torch_name} must be a number, but got {value!r}. {meaning}")


def check_non_negative(value, torch_name, meaning):
    """Raise the ValueError PyTorch raises for ``value < 0`` (or NaN), followed by ``meaning``."""
    check_number(value, torch_name, meaning)
    if not value >= 0.0:
        raise ValueError(f"Invalid {torch_name}: {value}. {meaning}")


def check_lr(lr, typical):
    """Learning rates must be >= 0; ``typical`` is the usual value for this optimizer."""
    check_non_negative(
        lr, "learning rate",
        "The learning rate scales every step, theta <- theta - lr * update, so it must be "
        ">= 0: a negative lr climbs the loss instead of descending it. "
        f"Use a small positive value such as lr={typical}.",
    )


def check_weight_decay(weight_decay):
    """Weight decay must be >= 0."""
    check_non_negative(
        weight_decay, "weight_decay value",
        "weight_decay pulls every parameter towards zero, so it must be >= 0 "
        "(0 turns it off; 1e-4 to 1e-2 is typical).",
    )


def check_eps(eps, typical):
    """eps must be >= 0; ``typical`` is the usual value for this optimizer."""
    check_non_negative(
        eps, "epsilon value",
        "eps is added to a denominator to avoid dividing by zero, so it must be >= 0 "
        f"(the usual value is eps={typical}).",
    )


def check_momentum(momentum):
    """Momentum must be >= 0."""
    check_non_negative(
        momentum, "momentum value",
        "momentum is the fraction of the previous step carried into the next, so it must "
        "be >= 0 (0 turns momentum off; 0.9 is typical).",
    )


def check_flag(value, name, meaning):
    """Raise TypeError unless ``value`` is True or False: the string "False" would count as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be True or False, but got {value!r} ({type(value).__name__}). {meaning}"
        )


def _params_as_list(params, optimizer_name):
    if _is_parameter(params):
        raise TypeError(
            f"params should be an iterable of parameters or of dicts, but got a single "
            f"{type(params).__name__}. Wrap it in a list: {optimizer_name}([w], lr=0.1)."
        )
    if isinstance(params, dict):
        raise TypeError(
            f"params should be an iterable of parameters or of dicts, but got one dict. "
            f"Put the parameter group in a list: {optimizer_name}([{{'params': [w, b]}}], lr=0.1)."
        )
    return list(params)


def _is_parameter(obj):
    return isinstance(getattr(obj, "data", None), np.ndarray) and hasattr(obj, "grad")


def _check_parameter(p):
    if not _is_parameter(p):
        raise TypeError(
            f"optimizers can only update parameters: objects with a .data numpy array and a "
            f".grad, such as mlcore.tensor(x, requires_grad=True) or nn.Parameter; but one of "
            f"the params is a {type(p).__module__}.{type(p).__name__}. To optimize a numpy "
            "array x, wrap it once: w = mlcore.tensor(x, requires_grad=True)."
        )
    if not np.issubdtype(p.data.dtype, np.floating):
        raise TypeError(
            f"a parameter has dtype {p.data.dtype}, but optimizers update parameters in place "
            "with fractional steps, which needs a floating-point array. Create it from floats, "
            "e.g. mlcore.tensor([1.0, 2.0], requires_grad=True)."
        )


def _copy_for(p, index, key, value):
    if not isinstance(value, np.ndarray):
        return copy.deepcopy(value)
    if value.shape != p.data.shape:
        raise ValueError(
            f"loaded state '{key}' of parameter {index} has shape {value.shape} but the "
            f"parameter has shape {p.data.shape}. The state_dict was saved from a different "
            "model; load it into an optimizer built from the same parameters."
        )
    return np.array(value, dtype=p.data.dtype)
