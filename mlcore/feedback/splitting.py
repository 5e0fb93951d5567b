"""Check for chapter 7's ``train_val_split(X, y, val_fraction, rng)``.

The reference is :func:`mlcore.data.train_val_split`: the order
``rng.permutation(N)``, its first ``round(val_fraction * N)`` samples for
validation, the rest for training, X and y indexed alike. The learner's four
arrays are compared with it exactly. To say what is wrong when they differ,
the data are numbered samples (``X[i] = [i, i + 0.5]``, ``y[i] = 10 i``), from
which one can read which samples went where and whether every input kept
its label; :data:`SPLIT_MISTAKES` names what is read, in order of severity, each
with a split that makes the mistake (for the registry of checks).
"""

from dataclasses import dataclass

import numpy as np

from ..data.split import train_val_split as reference_split
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, answers_to
from .mutation import MUTATED, check_inputs_unchanged
from .registry import exercise
from .training_problems import numbered_samples

__all__ = ["SPLIT_CASES", "SPLIT_MISCONCEPTIONS", "SPLIT_MISTAKES", "check_train_val_split", "describe_split",
           "split_cases"]

LABELS_SHUFFLED_SEPARATELY = "labels shuffled separately from inputs"


@dataclass(frozen=True)
class Split:
    """What a split did to numbered samples: the sample numbers in each part, and whether every
    row of X is its label's sample."""

    train: list
    val: list
    paired: bool


def describe_split(result):
    """A :class:`Split` from ``(X_train, y_train, X_val, y_val)`` of numbered samples; ``CheckFailed``
    if it is not four arrays whose inputs and labels have matching lengths."""
    try:
        X_train, y_train, X_val, y_val = (np.asarray(part, dtype=np.float64) for part in result)
    except (TypeError, ValueError):
        raise CheckFailed(f"{FAIL_MARK} train_val_split should return four arrays, "
                          "X_train, y_train, X_val, y_val (in that order).") from None
    for name, X, y in (("training", X_train, y_train), ("validation", X_val, y_val)):
        if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
            raise CheckFailed(f"{FAIL_MARK} the {name} part has X of shape {X.shape} and y of shape {y.shape}: "
                              f"each part holds whole rows of X and one label per row.")
    paired = bool(np.array_equal(X_train[:, 0] * 10, y_train) and np.array_equal(X_val[:, 0] * 10, y_val))
    return Split([int(v) // 10 for v in y_train], [int(v) // 10 for v in y_val], paired)


@dataclass(frozen=True)
class SplitMistake:
    """A mistake read from a split: ``applies(split, n, n_val)`` says whether it explains the difference;
    ``example`` is a ``train_val_split`` that makes it."""

    name: str
    applies: object
    hint: str
    example: object


def _not_paired(split, n, n_val):
    return not split.paired


def _lost_or_doubled(split, n, n_val):
    return sorted(split.train + split.val) != list(range(n))


def _swapped(split, n, n_val):
    return len(split.val) == n - n_val != n_val


def _wrong_size(split, n, n_val):
    return len(split.val) != n_val


def _unshuffled(split, n, n_val):
    return split.val in (list(range(n_val)), list(range(n - n_val, n)))


def _another_order(split, n, n_val):
    return True


def _parts(X, y, val, train):
    return X[train], y[train], X[val], y[val]


def _two_orders(X, y, val_fraction, rng):
    n_val = round(val_fraction * len(X))
    order_X, order_y = rng.permutation(len(X)), rng.permutation(len(y))
    return X[order_X[n_val:]], y[order_y[n_val:]], X[order_X[:n_val]], y[order_y[:n_val]]


def _trains_on_everything(X, y, val_fraction, rng):
    val = rng.permutation(len(X))[:round(val_fraction * len(X))]
    return X, y, X[val], y[val]


def _sizes_swapped(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = round(val_fraction * len(X))
    return _parts(X, y, order[n_val:], order[:n_val])


def _rounded_down(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = int(val_fraction * len(X))
    return _parts(X, y, order[:n_val], order[n_val:])


def _first_block(X, y, val_fraction, rng):
    n_val = round(val_fraction * len(X))
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]


def _last_of_the_order(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = round(val_fraction * len(X))
    return _parts(X, y, order[len(X) - n_val:], order[:len(X) - n_val])


SPLIT_MISTAKES = [
    SplitMistake(LABELS_SHUFFLED_SEPARATELY, _not_paired,
                 "Two shuffles (or rng.shuffle(X) and rng.shuffle(y)) give two different orders, so labels "
                 "end up on other samples' inputs. Draw one order = rng.permutation(len(X)) and index both "
                 "with it.", _two_orders),
    SplitMistake("a sample in both parts, or in neither", _lost_or_doubled,
                 "Cut one permutation in two: order[:n_val] for validation, order[n_val:] for training; "
                 "every sample lands in exactly one part.", _trains_on_everything),
    SplitMistake("the sizes are swapped: val_fraction of the samples went to training", _swapped,
                 "val_fraction is the share held out for validation: n_val = round(val_fraction * len(X)).",
                 _sizes_swapped),
    SplitMistake("the validation part does not have round(val_fraction * N) samples", _wrong_size,
                 "n_val = round(val_fraction * len(X)); int() rounds 0.29 * 100 = 28.999... down to 28.",
                 _rounded_down),
    SplitMistake("the samples were not shuffled: validation is a block of the stored order", _unshuffled,
                 "Data are often stored sorted (by class, by date): a block of them is no fair sample. "
                 "Shuffle first: order = rng.permutation(len(X)).", _first_block),
    SplitMistake("shuffled, but not as the statement says", _another_order,
                 "Validation is order[:n_val] with order = rng.permutation(len(X)), drawn once from rng; "
                 "training is order[n_val:].", _last_of_the_order),
]


def _shuffles_in_place(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = round(val_fraction * len(X))
    X[:], y[:] = X[order], y[order]
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]


SHUFFLED_IN_PLACE_HINT = ("rng.shuffle(X) shuffles the caller's array; index instead: X[order], y[order] with "
                          "order = rng.permutation(len(X)).")
SPLIT_MISCONCEPTIONS = [Misconception(MUTATED, _shuffles_in_place, SHUFFLED_IN_PLACE_HINT)] + [
    Misconception(mistake.name, mistake.example, mistake.hint) for mistake in SPLIT_MISTAKES]

# (n, val_fraction, seed): 10 samples 3 held out; 8 samples a quarter; 7 samples 0.4 (2.8 rounds
# to 3); 20 samples a fifth.
SPLIT_CASES = [(10, 0.3, 0), (8, 0.25, 1), (7, 0.4, 2), (20, 0.2, 3)]


def split_cases(seed, count=3):
    """Hidden cases: random sizes and fractions."""
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(10, 40)), float(rng.choice([0.1, 0.2, 0.3, 0.35])), int(rng.integers(100)))
            for _ in range(count)]


def _inputs(n, fraction, seed):
    return (*numbered_samples(n), fraction, np.random.default_rng(seed))


@exercise(answer=reference_split, misconceptions=SPLIT_MISCONCEPTIONS, hidden_cases=split_cases)
def check_train_val_split(train_val_split, cases=SPLIT_CASES):
    """Check ``train_val_split(X, y, val_fraction, rng)``: one permutation for X and y, its first
    ``round(val_fraction * N)`` samples for validation, the inputs left unchanged."""
    inputs = [_inputs(*case) for case in cases]
    check_inputs_unchanged(train_val_split, reference_split, inputs, name="train_val_split",
                           hint=SHUFFLED_IN_PLACE_HINT)
    failures = []
    for (n, fraction, seed), result in zip(cases, answers_to(train_val_split, inputs)):
        got, expected = describe_split(result()), describe_split(reference_split(*_inputs(n, fraction, seed)))
        if got != expected:
            failures.append((n, fraction, seed, got, expected))
    if not failures:
        print(f"{PASS_MARK} train_val_split: the right split in all {len(cases)} cases.")
        return
    lines = [f"{FAIL_MARK} train_val_split is not right yet: {len(failures)} of {len(cases)} cases fail."]
    mistake = next(m for m in SPLIT_MISTAKES
                   if any(m.applies(got, n, round(fraction * n)) for n, fraction, _, got, _ in failures))
    lines.append(f"Likely misconception: {mistake.name}. {mistake.hint}")
    n, fraction, seed, got, expected = min(failures, key=lambda failure: failure[0])
    case = [f"Smallest failing case: train_val_split(X, y, val_fraction={fraction}, "
            f"rng=np.random.default_rng({seed})) with the numbered samples X, y = numbered_samples({n}) "
            f"(X[i] = [i, i + 0.5], y[i] = 10 i)",
            f"  expected samples: validation {expected.val}, training {expected.train}",
            f"  got:              validation {got.val}, training {got.train}"
            + ("" if got.paired else "  (read from y; some rows of X are not their label's sample)")]
    raise CheckFailed("\n".join(lines + case), mistake.name, "\n".join(case))
