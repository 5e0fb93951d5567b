"""The inputs the checks try: small hand-picked visible cases, and seeded random hidden ones.

Visible cases are small so that a failure shows a case one can work by hand;
each has a reason to be there (noted above it). Hidden tests pass the random
cases (``cases=``), drawn from a seed, so an answer cannot be fitted to the
visible ones.
"""

import numpy as np


def one_hot(classes, num_classes):
    """Rows of the identity: row ``n`` is 1 at ``classes[n]`` and 0 elsewhere (chapter 2)."""
    return np.eye(num_classes)[np.asarray(classes)]


# ---- chapter 1 ----------------------------------------------------------------------

# The course's worked example: MSE 4/3, L1 sum 2, and two exact hits.
WORKED_EXAMPLE = (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]))

# (y_hat, y): one element (where a sum equals a mean), the worked example,
# negative errors, and a batch in two dimensions.
REGRESSION_CASES = [
    (np.array([2.5]), np.array([0.5])),
    WORKED_EXAMPLE,
    (np.array([0.5, -1.0, 4.0, 2.0]), np.array([1.5, 1.0, -1.0, 2.0])),
    (np.array([[1.0, -2.0, 0.0], [0.0, 3.5, 1.0]]), np.array([[0.0, 0.5, 0.0], [0.0, 1.0, 3.0]])),
]

# (y_hat, y, delta): errors on both sides of delta, with both signs, for three
# deltas; the last case leaves delta at its default of 1.
HUBER_CASES = [
    (np.array([-3.0, -1.0, -0.4, 0.0, 0.3, 1.0, 2.5]), np.zeros(7), 1.0),
    (np.array([[0.2, -0.7], [1.5, -4.0]]), np.array([[0.0, 0.0], [0.5, 0.0]]), 0.5),
    (np.array([1.0, -1.5, 3.0, 6.0]), np.array([0.0, 0.0, 0.0, 1.0]), 2.0),
    (np.array([0.3, -2.0]), np.array([0.0, 0.0])),
]

# (y_hat, y, reduction): each reduction on a vector and on a batch, the course's
# fact that reshaping to (1, 1, 1, 3) changes nothing, and the default reduction.
_BATCH = (np.array([[0.5, -1.0], [4.0, 2.0]]), np.array([[1.5, 1.0], [-1.0, 2.0]]))
REDUCTION_CASES = [
    (*WORKED_EXAMPLE, "sum"), (*WORKED_EXAMPLE, "mean"), (*WORKED_EXAMPLE, "none"),
    (*_BATCH, "sum"), (*_BATCH, "mean"), (*_BATCH, "none"),
    (WORKED_EXAMPLE[0].reshape(1, 1, 1, 3), WORKED_EXAMPLE[1].reshape(1, 1, 1, 3), "sum"),
    WORKED_EXAMPLE,
]


def regression_cases(seed, shapes=((5,), (3, 4), (2, 3, 2))):
    """``(y_hat, y)`` pairs of the given shapes with normal entries (spread 2)."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, 2.0, shape), rng.normal(0.0, 2.0, shape)) for shape in shapes]


def huber_cases(seed, deltas=(0.5, 1.0, 2.5)):
    """``(y_hat, y, delta)`` triples whose errors fall on both sides of ``delta``."""
    return [(y_hat, y, delta) for (y_hat, y), delta in zip(regression_cases(seed), deltas)]


def reduction_cases(seed):
    """``(y_hat, y, reduction)`` triples: every reduction on every shape of ``regression_cases``."""
    return [(y_hat, y, reduction) for y_hat, y in regression_cases(seed)
            for reduction in ("mean", "sum", "none")]


# ---- chapter 2 ----------------------------------------------------------------------

# (logits,) of shape (N, C). [[1000, 999]] overflows a naive softmax; in the last
# case one row's logits are all far below the other row's.
SOFTMAX_CASES = [
    (np.array([[1.0, 2.0, 3.0]]),),
    (np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]]),),
    (np.array([[1000.0, 999.0]]),),
    (np.array([[1000.0, 999.0], [0.0, 1.0]]),),
]

# (logits, one-hot y). The first is the course's fact (loss 1.1019). In
# [[1000, 0]] with true class 1 the true class's probability rounds to 0; the
# last case has negative logits and a row that overflows a naive softmax.
CROSS_ENTROPY_CASES = [
    (np.array([[0.1, 0.2, 0.3]]), one_hot([1], 3)),
    (np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]]), one_hot([0, 2], 3)),
    (np.array([[1000.0, 0.0]]), one_hot([1], 2)),
    (np.array([[-3.0, 5.0, 1.0, 0.0], [800.0, 799.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]),
     one_hot([1, 1, 3], 4)),
]

# (p, y): probabilities and 0/1 labels; one element, a vector, a batch.
BINARY_CASES = [
    (np.array([0.9]), np.array([1.0])),
    (np.array([0.8, 0.3, 0.6]), np.array([1.0, 0.0, 0.0])),
    (np.array([[0.2, 0.7], [0.99, 0.05]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
]

# (X, w, y) for a linear regression y_hat = X @ w: a column of ones (the bias)
# and features; the predictions are positive, so the source article's log is
# defined. N is never 2, where X.T @ (y_hat - y) equals the MSE's gradient.
WEIGHT_CASES = [
    (np.array([[1.0, 0.5], [1.0, 2.0], [1.0, 3.0]]), np.array([0.5, 1.0]), np.array([2.0, 3.5, 5.0])),
    (np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.5], [1.0, 1.5]]), np.array([1.0, 0.8]),
     np.array([2.2, 2.9, 4.6, 3.4])),
    (np.array([[1.0, 0.2, 1.0], [1.0, 1.1, 0.0], [1.0, 2.0, 0.5], [1.0, 0.7, 2.0], [1.0, 1.6, 1.2]]),
     np.array([2.0, 0.5, 0.3]), np.array([2.5, 2.4, 3.9, 3.1, 4.8])),
]

# (X, y, lr, num_epochs): one step, three steps, and a run long enough to settle.
FIT_CASES = [
    (WEIGHT_CASES[0][0], WEIGHT_CASES[0][2], 0.1, 1),
    (WEIGHT_CASES[1][0], WEIGHT_CASES[1][2], 0.1, 3),
    (WEIGHT_CASES[2][0], WEIGHT_CASES[2][2], 0.05, 200),
]


def classification_cases(seed, sizes=((4, 3), (6, 5), (3, 10)), scale=3.0, shift=0.0):
    """``(logits, y)`` pairs: logits of shape ``(N, C)``, normal with spread ``scale``, plus
    ``shift``, and one-hot labels ``y`` of the same shape."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, scale, (n, c)) + shift, one_hot(rng.integers(0, c, n), c)) for n, c in sizes]


def probability_cases(seed, shapes=((6,), (3, 4))):
    """``(p, y)`` pairs for binary cross-entropy: probabilities in (0.02, 0.98), labels 0 or 1."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(0.02, 0.98, shape), rng.integers(0, 2, shape).astype(np.float64))
            for shape in shapes]


def weight_cases(seed, sizes=((6, 2), (10, 3))):
    """``(X, w, y)`` triples: a bias column and uniform features in [0, 3], weights and targets
    that keep every prediction ``X @ w`` positive."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, k in sizes:
        X = np.column_stack([np.ones(n), rng.uniform(0.0, 3.0, (n, k - 1))])
        cases.append((X, rng.uniform(0.2, 1.5, k), rng.uniform(2.0, 5.0, n)))
    return cases


def fit_cases(seed):
    """``(X, y, lr, num_epochs)`` quadruples from ``weight_cases``, with a learning rate that converges."""
    return [(X, y, 0.05, num_epochs) for (X, _, y), num_epochs in zip(weight_cases(seed), (5, 500))]
