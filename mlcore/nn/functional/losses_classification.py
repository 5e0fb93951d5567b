"""Cross-entropy and negative log-likelihood: losses for classification (chapter 2).

A classifier outputs one raw score (logit) per class. Softmax turns scores into
probabilities ``p``, and cross-entropy ``H(y, p) = -sum_c y_c log p_c`` scores
them against the true distribution ``y`` (a one-hot label, or soft labels).

Both losses work on a table of shape ``(rows, C)``: one row of C class scores
per prediction. Batched inputs ``(N, C)`` already are such a table; an
unbatched ``(C,)`` input is one row, and a K-dimensional ``(N, C, d1, ...)``
input (a score per class for every pixel, say) has ``N * d1 * ...`` rows.
"""

import numbers

import numpy as np

from ._checks import real_number
from ._loss_inputs import (as_prediction, as_target, check_reduction, constant_array,
                           float_target, format_index, reduce, reduction_scale)
from ._loss_node import loss_node

__all__ = ["cross_entropy", "nll_loss"]


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of raw scores (logits) against the true classes (chapter 2).

    ``H(y, p) = -sum_i y_i log p_i`` with ``p = softmax(x)``, averaged over the N
    samples: ``loss_n = -sum_c y_nc * log(softmax(x_n)_c)``. With class-index
    targets ``t_n`` the one-hot ``y_n`` picks one term:
    ``loss_n = -log softmax(x_n)_{t_n} = -x_{n,t_n} + log sum_c exp(x_nc)``.
    The log-sum-exp is computed after subtracting the largest score, so logits
    of +-1000 give finite losses and gradients. The gradient with respect to the
    logits is ``(softmax(x_n) - y_n) / N``.

    Arguments, all as in ``torch.nn.functional.cross_entropy``:

    - ``input``: logits of shape ``(N, C)``, ``(C,)`` (one sample) or ``(N, C, d1, ...)``;
    - ``target``: class indices (integers) of shape ``(N,)``, ``()`` or ``(N, d1, ...)``,
      or class probabilities (floats) of the input's shape;
    - ``weight``: one weight per class: ``loss_n`` is multiplied by ``weight[t_n]``
      (by ``weight[c]`` inside the sum, for probabilities). The 'mean' of
      class-index targets then divides by the sum of the weights of the targets
      used, not by N;
    - ``ignore_index``: targets equal to it add nothing and do not count in the mean;
    - ``label_smoothing`` ``eps``: the target becomes ``(1 - eps) * y + eps / C``.
      With class indices, ``loss_n = (1 - eps) * w_{t_n} * (-log p_{n,t_n})
      + eps / C * sum_c w_c * (-log p_nc)``, and the 'mean' divides both terms
      by the same sum of target weights, exactly as PyTorch does.
    """
    fn_name = "cross_entropy"
    check_label_smoothing(label_smoothing, fn_name)
    input, num_classes, weight, target_array, target_tensor = _class_inputs(
        fn_name, input, target, weight, ignore_index, reduction)
    shape, dtype = input.data.shape, input.data.dtype
    if target_array.dtype.kind == "f" and target_array.shape == shape:
        if ignore_index >= 0:
            raise ValueError(
                f"cross_entropy: ignore_index={ignore_index} only applies to class-index targets, "
                "but this target holds class probabilities (floats of the input's shape). "
                "Leave ignore_index at its default, or give the target class indices."
            )
        probabilities = float_target(target_array, input, fn_name)
        return _cross_entropy_probabilities(input, probabilities, target_tensor, weight,
                                            reduction, label_smoothing)
    targets = _ClassTargets(fn_name, target_array, shape, num_classes, ignore_index, weight,
                            dtype)
    return _cross_entropy_indices(input, targets, weight, reduction, label_smoothing)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities (chapter 2): ``loss_n = -x_{n, t_n}``.

    ``input`` holds log-probabilities, e.g. ``log_softmax(logits, dim=1)``, so
    ``nll_loss(log_softmax(x), t)`` equals ``cross_entropy(x, t)``. ``weight``,
    ``ignore_index`` and ``reduction`` act as in :func:`cross_entropy`, and
    shapes are the same, with class-index targets only. As ``torch.nn.functional.nll_loss``.
    """
    fn_name = "nll_loss"
    input, num_classes, weight, target_array, _ = _class_inputs(
        fn_name, input, target, weight, ignore_index, reduction)
    targets = _ClassTargets(fn_name, target_array, input.data.shape, num_classes, ignore_index,
                            weight, input.data.dtype)
    log_p = _rows(input.data)
    t = targets.index
    picked_weight = 1 if targets.weight is None else targets.weight
    loss_rows = -log_p[targets.rows, t] * picked_weight
    out = targets.reduce_rows(loss_rows, reduction)

    def grad_input(g):
        grad = np.zeros_like(log_p)
        grad[targets.rows, t] = -targets.row_scale(g, reduction) * picked_weight
        return _unrows(grad, input.shape)

    return loss_node(fn_name, out, input, None, grad_input, None)


def _cross_entropy_indices(input, targets, weight, reduction, eps):
    """The fused op for class-index targets; without options, backward is (softmax - onehot) / N."""
    x = _rows(input.data)
    num_classes = x.shape[1]
    t = targets.index
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1)
    log_sum_exp = np.log(sum_exp)
    # -log p_t = log sum_c exp(x_c) - x_t, with the max subtracted from both terms.
    loss_rows = log_sum_exp - shifted[targets.rows, t]
    if targets.weight is not None:
        loss_rows = loss_rows * targets.weight
    # The weight of each row's true class in its (smoothed) target.
    on_target = 1 - eps if targets.weight is None else (1 - eps) * targets.weight
    weight_sum = num_classes if weight is None else weight.sum()
    if eps:
        # The smoothing term -sum_c w_c log p_c of every row that is not ignored.
        if weight is None:
            smooth_rows = num_classes * log_sum_exp - shifted.sum(axis=1)
        else:
            smooth_rows = weight_sum * log_sum_exp - shifted @ weight
        if targets.kept is not None:
            smooth_rows = smooth_rows * targets.kept
        loss_rows = (1 - eps) * loss_rows + eps / num_classes * smooth_rows
    out = targets.reduce_rows(loss_rows, reduction)

    def grad_input(g):
        # d loss / d log p_c = -(on_target if c == t else 0) - eps / C * w_c, and through
        # log-softmax d / d x_c = (d / d log p_c) - p_c * sum_k (d / d log p_k).
        scale = targets.row_scale(g, reduction)
        row_total = on_target + eps / num_classes * weight_sum
        grad = exp * (scale * row_total / sum_exp)[:, None]
        grad[targets.rows, t] -= scale * on_target
        if eps:
            spread = eps / num_classes * (1 if weight is None else weight)
            grad -= np.reshape(scale, (-1, 1)) * spread
        return _unrows(grad, input.shape)

    return loss_node("cross_entropy", out, input, None, grad_input, None)


def _cross_entropy_probabilities(input, probabilities, target_tensor, weight, reduction, eps):
    """The fused op for probability targets: ``loss_n = -sum_c w_c q_nc log p_nc``."""
    x = _rows(input.data)
    num_classes = x.shape[1]
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    log_p = shifted - np.log(sum_exp)
    q = _rows(probabilities)
    if eps:
        q = (1 - eps) * q + eps / num_classes
    weighted_q = q if weight is None else q * weight
    loss_rows = -(weighted_q * log_p).sum(axis=1)
    out = reduce(loss_rows.reshape(_index_shape(input.shape)), reduction)

    def row_scale(g):
        return np.reshape(reduction_scale(g, reduction, len(loss_rows)), (-1, 1))

    def grad_input(g):
        # Through log-softmax: -w_c q_c + p_c * sum_k w_k q_k.
        row_total = weighted_q.sum(axis=1, keepdims=True)
        return _unrows(row_scale(g) * (exp * (row_total / sum_exp) - weighted_q), input.shape)

    def grad_target(g):
        # d loss / d q_c = -w_c log p_c, and q = (1 - eps) * target + eps / C.
        per_target = -(1 - eps) * (log_p if weight is None else log_p * weight)
        return _unrows(row_scale(g) * per_target, input.shape)

    return loss_node("cross_entropy", out, input, target_tensor, grad_input, grad_target)


class _ClassTargets:
    """Validated class-index targets, flattened to one per row, with their weights.

    ``index``: the class of each row (ignored rows point at class 0, harmlessly);
    ``weight``: ``weight[t]`` per row, 0 where ignored (None when all are 1);
    ``kept``: 1.0 per row that is not ignored (None when none is ignored);
    ``total``: the sum of the row weights, the divisor of the 'mean'.
    """

    __slots__ = ("index", "rows", "weight", "kept", "total", "shape")

    def __init__(self, fn_name, target, input_shape, num_classes, ignore_index, class_weight,
                 dtype):
        self.shape = _index_shape(input_shape)
        _check_index_target(fn_name, target, input_shape, self.shape, num_classes)
        t = target.reshape(-1)
        ignored = None
        # Only look for ignored or invalid targets when min/max say there could be some.
        if t.size and (t.min() < 0 or t.max() >= num_classes or 0 <= ignore_index < num_classes):
            ignored = t == ignore_index
            invalid = ((t < 0) | (t >= num_classes)) & ~ignored
            if invalid.any():
                _refuse_class_index(fn_name, target, invalid, num_classes, ignore_index)
            if ignored.any():
                t = np.where(ignored, 0, t)
            else:
                ignored = None
        self.index = t
        self.rows = np.arange(t.size)
        self.weight = None if class_weight is None else class_weight[t]
        self.kept = None
        if ignored is not None:
            self.kept = (~ignored).astype(dtype)
            self.weight = self.kept if self.weight is None else self.weight * self.kept
        self.total = t.size if self.weight is None else self.weight.sum()

    def reduce_rows(self, loss_rows, reduction):
        """'none': one loss per target; 'sum'; 'mean': the sum over the total target weight."""
        return reduce(loss_rows.reshape(self.shape), reduction, self.total)

    def row_scale(self, g, reduction):
        """The upstream gradient of each row: exactly 0 on ignored rows, as in PyTorch."""
        scale = reduction_scale(g, reduction, self.total)
        if reduction == "none":
            scale = scale.reshape(-1)
        if self.kept is not None:
            scale = np.where(self.kept > 0, scale, 0)
        return scale


def _class_inputs(fn_name, input, target, weight, ignore_index, reduction):
    """Check the arguments both classification losses take, in the same words.

    Returns the prediction as a float Tensor, the number of classes C, the class
    weight as an array of shape (C,) (or None), and the target as a numpy array
    and as a Tensor (None if it was an array or a list).
    """
    check_reduction(reduction, fn_name)
    check_ignore_index(ignore_index, fn_name)
    input = as_prediction(input, fn_name)
    num_classes = _num_classes(input.data.shape, fn_name)
    weight = _class_weight(weight, num_classes, input.data.dtype, fn_name)
    target_array, target_tensor = as_target(target)
    return input, num_classes, weight, target_array, target_tensor


def _num_classes(input_shape, fn_name):
    """C: the size of the class axis (axis 1, or axis 0 for one unbatched sample)."""
    if len(input_shape) == 0:
        raise ValueError(
            f"{fn_name}: the input is a single number (shape ()), but it needs one score per "
            "class: shape (C,) for one sample or (N, C) for a batch of N samples."
        )
    return input_shape[0] if len(input_shape) == 1 else input_shape[1]


def _index_shape(input_shape):
    """The shape of class-index targets: the input's shape without the class axis."""
    return () if len(input_shape) == 1 else input_shape[:1] + input_shape[2:]


def _rows(x):
    """The scores as a table with one row of C classes per prediction (a view when possible)."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(rows, shape):
    """Undo :func:`_rows`: put a table of per-class values back into the input's `shape`."""
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


def check_label_smoothing(label_smoothing, fn_name):
    """Refuse a ``label_smoothing`` outside [0, 1] (``nn.CrossEntropyLoss`` checks it too)."""
    meaning = ("It is the share of each target spread evenly over all classes: 0.0 (no "
               "smoothing, the default) to 1.0; typical values are 0.05 to 0.2.")
    real_number(fn_name, "label_smoothing", label_smoothing, meaning)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn_name}: label_smoothing={label_smoothing} must be between 0.0 and "
                         f"1.0. {meaning}")


def check_ignore_index(ignore_index, fn_name):
    """Refuse an ``ignore_index`` that is not a whole number (``nn.NLLLoss`` checks it too)."""
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise TypeError(
            f"{fn_name}: ignore_index must be a whole number, but got {ignore_index!r} "
            f"({type(ignore_index).__name__}). Targets equal to it are skipped; the default, "
            "-100, is a class that never occurs."
        )


def _class_weight(weight, num_classes, dtype, fn_name):
    """The per-class weight as an array of shape (C,), or None."""
    if weight is None:
        return None
    weight = constant_array(weight, "weight", fn_name, dtype)
    if weight.shape != (num_classes,):
        raise ValueError(
            f"{fn_name}: weight has shape {weight.shape}, but the input has {num_classes} "
            f"classes: give one weight per class, a 1-D weight of shape ({num_classes},)."
        )
    return weight


def _check_index_target(fn_name, target, input_shape, index_shape, num_classes):
    """Refuse targets that are not integer class indices of the right shape."""
    probabilities_allowed = fn_name == "cross_entropy"
    if target.shape != index_shape:
        looks_one_hot = len(input_shape) >= 2 and target.shape == tuple(input_shape)
        if looks_one_hot and np.issubdtype(target.dtype, np.integer):
            raise ValueError(
                f"{fn_name}: the target has the input's shape {tuple(input_shape)} but holds "
                "integers: it looks like one-hot labels. Pass class indices instead, "
                f"target.argmax(1) with shape {index_shape}"
                + (", or convert it to floats to use it as class probabilities."
                   if probabilities_allowed else ".")
            )
        hint = ""
        if len(input_shape) == 1:
            hint = (f" An input of shape {tuple(input_shape)} is read as one sample with "
                    f"{num_classes} class scores. For a batch of samples with one score each "
                    "(two classes), use binary_cross_entropy_with_logits; for a batch of one "
                    "sample, use input.reshape(1, -1).")
        kinds = (f"class indices (integers) of shape {index_shape}"
                 + (f", or class probabilities (floats) of shape {tuple(input_shape)}"
                    if probabilities_allowed else ""))
        raise ValueError(
            f"{fn_name}: the input has shape {tuple(input_shape)} (C = {num_classes} classes), so "
            f"the target must be {kinds}; got a target of shape {target.shape} "
            f"and dtype {target.dtype}.{hint}"
        )
    if target.dtype.kind not in "iu":  # signed or unsigned integers
        _refuse_non_integer(fn_name, target, input_shape, probabilities_allowed)


def _refuse_non_integer(fn_name, target, input_shape, probabilities_allowed):
    """Explain why a float (or bool) target cannot be class indices, naming a value."""
    message = (f"{fn_name}: class-index targets must be integers, but the target has dtype "
               f"{target.dtype}")
    if target.size and np.issubdtype(target.dtype, np.number):
        not_whole = target != np.round(target)
        position = np.unravel_index(np.argmax(not_whole), target.shape)
        value = target[position]
        if not_whole.any():
            message += f" and {format_index(position)} = {value} is not a whole number"
        else:
            message += (f" ({format_index(position)} = {value}). If these are labels, convert "
                        "them with target.long() or build them with dtype=mlcore.int64")
    message += "."
    if probabilities_allowed:
        message += (f" Class probabilities must have the input's shape {tuple(input_shape)}, "
                    "one probability per class.")
    raise ValueError(message)


def _refuse_class_index(fn_name, target, invalid, num_classes, ignore_index):
    """Name the first target outside [0, C) and explain the usual causes."""
    position = np.unravel_index(np.argmax(invalid), target.shape)
    value = target[position]
    raise ValueError(
        f"{fn_name}: {format_index(position)} = {value} is not a valid class index: with "
        f"C = {num_classes} classes the targets must be in [0, {num_classes - 1}] (or equal "
        f"ignore_index={ignore_index} to be skipped). Check that the model outputs one score "
        "per class, and that labels start at 0 (labels 1..C need target - 1)."
    )
