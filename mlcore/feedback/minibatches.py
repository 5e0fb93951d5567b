"""Checks for chapter 3's mini-batches: one epoch of ``minibatches(X, y, batch_size, rng)``, and
mini-batch SGD for linear regression built on it.

The reference epoch is :func:`mlcore.data.minibatches`: the order
``rng.permutation(N)``, cut into batches of ``batch_size``, the last one
smaller. The learner's batches are compared with it exactly. To say what is
wrong when they differ, the data are made so that every row names its sample
(``X[i] = [i, i + 0.5]`` and ``y[i] = 10 * i``); from the batches one can then
read which samples came, how often, and whether inputs kept their targets.
That reading is the one part of these checks that is not a comparison with a
variant; it lives in :func:`describe_epoch` and :data:`EPOCH_MISTAKES`, where
each mistake also carries a ``minibatches`` that makes it (the registry's
variant). Under mlcore-grade the learner's generator runs to its end in the
kernel, and its batches, and what it did to X, y and the rng, come back as data.
"""

from dataclasses import dataclass

import numpy as np

from ..data.minibatches import minibatches as reference_minibatches
from ..linear_sgd import fit_linear_sgd, mse_weight_gradient
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, call_answer, check_function
from .mutation import MUTATED, check_inputs_unchanged
from .registry import exercise

__all__ = ["EPOCH_CASES", "EPOCH_MISTAKES", "MINIBATCHES_MISCONCEPTIONS", "SGD_CASES", "SGD_MISCONCEPTIONS",
           "check_minibatches",
           "check_sgd_linear_regression", "describe_epoch", "epoch_cases", "numbered_samples",
           "reference_sgd_linear_regression", "sgd_cases"]


def numbered_samples(n):
    """``(X, y)`` with ``n`` samples that carry their own number: ``X[i] = [i, i + 0.5]``, ``y[i] = 10 i``."""
    i = np.arange(n, dtype=np.float64)
    return np.column_stack([i, i + 0.5]), 10.0 * i


# ---- one epoch -------------------------------------------------------------------------

@dataclass(frozen=True)
class Epoch:
    """What one epoch of batches did, read from numbered samples: ``samples`` lists each batch's
    sample numbers (from y); ``paired`` says whether every row of X is its y's sample."""

    samples: list
    paired: bool

    @property
    def sizes(self):
        return [len(batch) for batch in self.samples]

    @property
    def order(self):
        return [i for batch in self.samples for i in batch]


def describe_epoch(batches):
    """An :class:`Epoch` from a list of ``(X_batch, y_batch)`` pairs of numbered samples;
    ``CheckFailed`` if a batch is not a pair of arrays of matching length."""
    samples, paired = [], True
    for number, batch in enumerate(batches):
        try:
            X_batch, y_batch = batch
            X_batch, y_batch = np.asarray(X_batch, dtype=np.float64), np.asarray(y_batch, dtype=np.float64)
        except (TypeError, ValueError):
            raise CheckFailed(f"{FAIL_MARK} batch {number} is not a pair (X_batch, y_batch) of arrays: "
                              f"yield X[batch], y[batch].") from None
        if X_batch.ndim != 2 or len(X_batch) != len(y_batch):
            raise CheckFailed(f"{FAIL_MARK} batch {number} has X of shape {X_batch.shape} and y of shape "
                              f"{y_batch.shape}: a batch holds whole rows of X, one per target.")
        samples.append([int(round(v / 10.0)) for v in y_batch])
        paired = paired and bool(np.array_equal(X_batch[:, 0] * 10.0, y_batch))
    return Epoch(samples, paired)


@dataclass(frozen=True)
class EpochMistake:
    """A mistake recognised from an epoch: ``applies(epoch, n, batch_size)`` says whether it explains
    what went wrong; ``example`` is a ``minibatches`` written with the mistake."""

    name: str
    applies: object
    hint: str
    example: object


def _sizes(n, size):
    return [size] * (n // size) + ([n % size] if n % size else [])


def _cut(order, batch_size, keep_last=True):
    stop = len(order) if keep_last else len(order) - len(order) % batch_size
    return [order[start:start + batch_size] for start in range(0, stop, batch_size)]


def _epoch_from(make_order, *, pair=True, keep_last=True, size_of=lambda size: size):
    """A ``minibatches`` that draws its order with ``make_order(N, rng)`` (a second one for y unless
    ``pair``), keeps the last partial batch if ``keep_last``, in batches of ``size_of(batch_size)``."""
    def minibatches(X, y, batch_size, rng):
        order = make_order(len(X), rng)
        other = order if pair else make_order(len(X), rng)
        for a, b in zip(_cut(order, size_of(batch_size), keep_last), _cut(other, size_of(batch_size), keep_last)):
            yield X[a], y[b]
    return minibatches


def _permutation(n, rng):
    return rng.permutation(n)


def _counts(epoch, n):
    return np.bincount(np.asarray(epoch.order, dtype=int), minlength=n) if epoch.order else np.zeros(n)


EPOCH_MISTAKES = [
    EpochMistake("X and y shuffled with different permutations",
                 lambda epoch, n, size: not epoch.paired,
                 "Draw one order, order = rng.permutation(len(X)), and index both with it: "
                 "X[order[...]], y[order[...]]. Two shuffles separate each input from its target.",
                 _epoch_from(_permutation, pair=False)),
    EpochMistake("the last partial batch dropped",
                 lambda epoch, n, size: n % size and epoch.sizes == [size] * (n // size),
                 "range(0, N, batch_size) also starts a last, smaller batch: keep it, or the last "
                 "N % batch_size samples are never trained on in that epoch.",
                 _epoch_from(_permutation, keep_last=False)),
    EpochMistake("samples repeated (drawn with replacement), so others are missed",
                 lambda epoch, n, size: (_counts(epoch, n) > 1).any(),
                 "rng.integers or rng.choice(N, N) draws with replacement; an epoch must see every "
                 "sample exactly once: shuffle with rng.permutation(N).",
                 _epoch_from(lambda n, rng: rng.integers(0, n, n))),
    EpochMistake("the samples were not shuffled",
                 lambda epoch, n, size: epoch.order == list(range(n)),
                 "Batches in the stored order see the same neighbours every epoch; shuffle first "
                 "with order = rng.permutation(len(X)).",
                 _epoch_from(lambda n, rng: np.arange(n))),
    EpochMistake("the batches do not each have batch_size samples (only the last may have fewer)",
                 lambda epoch, n, size: epoch.sizes != _sizes(n, size),
                 "Cut the order into order[start:start + batch_size] for start in "
                 "range(0, N, batch_size).",
                 _epoch_from(_permutation, size_of=lambda size: size + 1)),
    EpochMistake("shuffled, but not with rng.permutation(N) as the statement asks",
                 lambda epoch, n, size: sorted(epoch.order) == list(range(n)),
                 "Every sample is there once, but in another order than rng.permutation(len(X)) gives "
                 "for this rng, so the runs of exercise 7 (sgd_linear_regression) could not be compared with the reference.",
                 _epoch_from(lambda n, rng: rng.permutation(n)[::-1])),
]

# (n, batch_size, seed): a batch size that does not divide N (a last batch of 1), one that does,
# full batch, stochastic (batch size 1), and a larger data set.
EPOCH_CASES = [(5, 2, 3), (6, 3, 0), (4, 4, 2), (7, 1, 2), (10, 4, 5)]


def epoch_cases(seed, count=3):
    """Hidden cases: random sizes with a last partial batch."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        size = int(rng.integers(2, 6))
        cases.append((int(size * rng.integers(2, 5) + rng.integers(1, size)), size, int(rng.integers(100))))
    return cases


def _shuffles_in_place(X, y, batch_size, rng):
    # Shuffles the caller's arrays, then cuts them in order.
    order = rng.permutation(len(X))
    X[:], y[:] = X[order], y[order]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


SHUFFLED_IN_PLACE_HINT = ("rng.shuffle(X) shuffles the caller's array; index a copy instead: "
                          "X[order], y[order] with order = rng.permutation(len(X)).")

MINIBATCHES_MISCONCEPTIONS = [Misconception(MUTATED, _shuffles_in_place, SHUFFLED_IN_PLACE_HINT)] + [
    Misconception(mistake.name, mistake.example, mistake.hint) for mistake in EPOCH_MISTAKES]


def _epoch_of(minibatches, n, size, seed):
    X, y = numbered_samples(n)
    return describe_epoch(call_answer(_batches_of, minibatches, X, y, size, np.random.default_rng(seed)))


def _batches_of(minibatches, *args):
    return list(minibatches(*args))


@exercise(answer=reference_minibatches, misconceptions=MINIBATCHES_MISCONCEPTIONS, hidden_cases=epoch_cases)
def check_minibatches(minibatches, cases=EPOCH_CASES):
    """Check ``minibatches(X, y, batch_size, rng)``: one epoch, shuffled by ``rng.permutation``, every
    sample once, the last batch smaller, X and y kept together, neither changed."""
    check_inputs_unchanged(
        minibatches, reference_minibatches,
        [(*numbered_samples(n), size, np.random.default_rng(seed)) for n, size, seed in cases],
        name="minibatches", hint=SHUFFLED_IN_PLACE_HINT)
    failures = []
    for n, size, seed in cases:
        got = _epoch_of(minibatches, n, size, seed)
        expected = _epoch_of(reference_minibatches, n, size, seed)
        if got != expected:
            failures.append((n, size, seed, got, expected))
    if not failures:
        print(f"{PASS_MARK} minibatches: the right batches in all {len(cases)} cases.")
        return
    lines = [f"{FAIL_MARK} minibatches is not right yet: {len(failures)} of {len(cases)} cases fail."]
    # In order of severity: the first mistake seen in any failing case is named.
    mistake = next((m for m in EPOCH_MISTAKES
                    if any(m.applies(got, n, size) for n, size, _, got, _ in failures)), None)
    lines.append(f"Likely misconception: {mistake.name}. {mistake.hint}" if mistake else
                 "No common mistake matches these batches; compare them with the statement below.")
    n, size, seed, got, expected = min(failures, key=lambda failure: failure[0])
    case = [f"Smallest failing case: minibatches(X, y, batch_size={size}, rng=np.random.default_rng({seed})) "
            f"with the {n} numbered samples X, y = numbered_samples({n})",
            f"  expected batches of samples: {expected.samples}",
            f"  got:                         {got.samples}"
            + ("" if got.paired else "  (and some rows of X are not their y's sample)")]
    raise CheckFailed("\n".join(lines + case), mistake.name if mistake else None, "\n".join(case))


# ---- mini-batch SGD ------------------------------------------------------------------------

def reference_sgd_linear_regression(X, y, lr, batch_size, num_epochs, seed):
    """``w`` after mini-batch SGD on the MSE of ``X @ w`` from ``w = 0``: one generator
    ``default_rng(seed)``, one :func:`~mlcore.data.minibatches` epoch after another, one
    ``mlcore.optim.SGD`` update per batch (:func:`mlcore.linear_sgd.fit_linear_sgd`)."""
    run = fit_linear_sgd(X, y, lr, batch_size, num_epochs, np.random.default_rng(seed))
    return run.weights[-1]


def _hand_sgd(batch_gradient=None, *, batches=reference_minibatches, rng_per_epoch=False):
    """A mini-batch SGD written by hand; ``batch_gradient(X_batch, w, y_batch, X, y, batch_size)``
    is its update direction (the batch's MSE gradient if None)."""
    batch_gradient = batch_gradient or _batch_gradient

    def sgd(X, y, lr, batch_size, num_epochs, seed):
        w = np.zeros(X.shape[1])
        rng = np.random.default_rng(seed)
        for _ in range(num_epochs):
            if rng_per_epoch:
                rng = np.random.default_rng(seed)
            for X_batch, y_batch in batches(X, y, batch_size, rng):
                w = w - lr * batch_gradient(X_batch, w, y_batch, X, y, batch_size)
        return w
    return sgd


def _batch_gradient(X_batch, w, y_batch, X, y, batch_size):
    return mse_weight_gradient(X_batch, w, y_batch)


def _in_order(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _without_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]


# The update directions of the misconceptions, each with _batch_gradient's signature.
def _whole_data_set(X_batch, w, y_batch, X, y, batch_size):
    return mse_weight_gradient(X, w, y)


def _summed(X_batch, w, y_batch, X, y, batch_size):
    return 2.0 * X_batch.T @ (X_batch @ w - y_batch)


def _over_batch_size(X_batch, w, y_batch, X, y, batch_size):
    return 2.0 / batch_size * X_batch.T @ (X_batch @ w - y_batch)


def _without_the_two(X_batch, w, y_batch, X, y, batch_size):
    return 0.5 * mse_weight_gradient(X_batch, w, y_batch)


def _uphill(X_batch, w, y_batch, X, y, batch_size):
    return -mse_weight_gradient(X_batch, w, y_batch)


SGD_MISCONCEPTIONS = [
    Misconception("a gradient computed on the whole data set inside the \"stochastic\" loop",
                  _hand_sgd(_whole_data_set),
                  "Each update uses only its batch: mse_weight_gradient(X_batch, w, y_batch). With "
                  "the whole data set every update is full-batch gradient descent, just more of them."),
    Misconception("the batch gradient summed over the batch, not averaged", _hand_sgd(_summed),
                  "The MSE of a batch is a mean: divide by len(y_batch), also for the last, smaller batch."),
    Misconception("the batch gradient divided by batch_size, also for the last, smaller batch",
                  _hand_sgd(_over_batch_size),
                  "The last batch of an epoch may hold fewer than batch_size samples: its mean divides by "
                  "B = len(y_batch)."),
    Misconception("the factor 2 of the squared error's derivative is missing", _hand_sgd(_without_the_two),
                  "d(e**2)/de = 2e: the MSE's gradient is 2 / B * X_b.T @ (X_b @ w - y_b)."),
    Misconception("ascent instead of descent (w + lr * grad)", _hand_sgd(_uphill),
                  "Step against the gradient: w = w - lr * grad."),
    Misconception("a new generator every epoch, so every epoch has the same order",
                  _hand_sgd(rng_per_epoch=True),
                  "Make rng = np.random.default_rng(seed) once, before the first epoch; then each "
                  "epoch draws a new order from it."),
    Misconception("the last partial batch dropped", _hand_sgd(batches=_without_last),
                  "Every epoch trains on every sample: keep the last, smaller batch."),
    Misconception("the samples were not shuffled", _hand_sgd(batches=_in_order),
                  "Go through minibatches(X, y, batch_size, rng), which shuffles every epoch."),
]


def _regression(n, d, seed):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    return X, X @ rng.uniform(-1.0, 2.0, d) + 0.3 * rng.normal(size=n)


# (X, y, lr, batch_size, num_epochs, seed): batches of 2 from 5 samples (a last batch of 1) for
# one epoch and for three; batches of 3 from 7 samples; stochastic (batch size 1).
SGD_CASES = [
    (*_regression(5, 2, 0), 0.1, 2, 1, 0),
    (*_regression(5, 2, 0), 0.1, 2, 3, 1),
    (*_regression(7, 3, 1), 0.05, 3, 4, 2),
    (*_regression(6, 2, 2), 0.05, 1, 2, 3),
]


def sgd_cases(seed):
    """Hidden cases: bigger data sets, with and without a last partial batch."""
    rng = np.random.default_rng(seed)
    return [(*_regression(n, d, int(rng.integers(1000))), 0.05, size, epochs, int(rng.integers(1000)))
            for n, d, size, epochs in ((20, 3, 6, 3), (16, 2, 4, 2), (9, 4, 9, 5))]


@exercise(answer=reference_sgd_linear_regression, misconceptions=SGD_MISCONCEPTIONS, hidden_cases=sgd_cases)
def check_sgd_linear_regression(sgd_linear_regression, cases=SGD_CASES):
    """Check ``sgd_linear_regression(X, y, lr, batch_size, num_epochs, seed)`` against the same run
    with mlcore's SGD."""
    check_function(sgd_linear_regression, reference_sgd_linear_regression, cases,
                   misconceptions=SGD_MISCONCEPTIONS)
