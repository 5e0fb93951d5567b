"""Log-sum-exp panel: a softmax straight from the formula next to the stable one (chapter 2).

The logits are ``z = scale * (1, 0, -1) + shift``. The naive softmax
``exp(z) / sum(exp(z))`` overflows to ``inf / inf = nan`` once a logit passes
``log(largest float64) = 709.78``, and gives ``0 / 0 = nan`` once every logit is
below ``log(smallest float64) = -744.44``. The stable softmax subtracts the
largest logit ``m`` first, so its largest exponential is ``exp(0) = 1`` and its
sum lies between 1 and the number of classes; its log-sum-exp is
``m + log(sum(exp(z - m)))``. The left plot puts every exponential on float64's
number line (by its exponent), the right plot both softmaxes (a red "nan" where
the naive one is nan); the readout says how the naive softmax fared and has every
intermediate value next to PyTorch's softmax, log_softmax and logsumexp.
"""

import math

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .base import Panel
from .controls import log_slider, slider
from .readout import table
from .softmax import _load_torch

__all__ = ["LogSumExpPanel", "logits_at", "naive_softmax", "stable_softmax"]

BASE_LOGITS = np.array([1.0, 0.0, -1.0])
CLASSES = len(BASE_LOGITS)
SHIFT_RANGE = (-1000.0, 1000.0)
SCALE_RANGE = (0.1, 1000.0)
FLOAT = np.finfo(np.float64)
# Exponents (log10 of a value) where float64 stops: above LARGEST exp() overflows to inf,
# below SMALLEST it underflows to 0, and between SMALLEST and NORMAL it keeps fewer digits.
LARGEST = math.log10(FLOAT.max)
NORMAL = math.log10(FLOAT.smallest_normal)
SMALLEST = math.log10(FLOAT.smallest_subnormal)
EXPONENT_RANGE = (-900.0, 900.0)
MARKERS = ("o", "s", "^")
NAIVE_COLOR, STABLE_COLOR = COLORS["orange"], COLORS["sky"]


def logits_at(scale, shift):
    """The panel's three logits, ``scale * (1, 0, -1) + shift``."""
    return scale * BASE_LOGITS + shift


def naive_softmax(z):
    """``(exp(z), sum, exp(z) / sum)`` in float64 exactly as the formula reads, overflow and all."""
    # The overflow and the 0 / 0 are what the panel shows, so numpy must not warn about them.
    with np.errstate(all="ignore"):
        exponentials = np.exp(z)
        total = exponentials.sum()
        return exponentials, total, exponentials / total


def stable_softmax(z):
    """``(exp(z - m), sum, probabilities, log-probabilities, log-sum-exp)`` with ``m = max(z)``."""
    m = np.max(z)
    with np.errstate(under="ignore"):  # exp(z - m) may round to 0, the correct float64 answer there
        exponentials = np.exp(z - m)
    total = exponentials.sum()
    return exponentials, total, exponentials / total, (z - m) - np.log(total), m + np.log(total)


def naive_status(exponentials, total, probabilities, exact):
    """What became of the naive softmax, in words: ``"exact"``, or how it failed.

    ``exact`` is the stable softmax's answer. A probability that rounds to 0 is
    the right float64 answer, but its log is ``-inf`` where log_softmax is finite.
    """
    if np.isinf(exponentials).any():
        return "invalid: exp(z) overflowed to inf, and inf / inf = nan"
    if total == 0.0:
        return "invalid: every exp(z) underflowed to 0, and 0 / 0 = nan"
    if not np.allclose(probabilities, exact, rtol=1e-9, atol=0.0):
        return "inexact: an exp(z) fell below float64's normal range and lost its digits"
    if (probabilities == 0.0).any():
        return "log(p) = -inf: a probability rounded to 0, so its log is lost"
    return "exact"


def _text(values):
    return "[" + ", ".join(f"{v:.4g}" for v in np.atleast_1d(values)) + "]"


class LogSumExpPanel(Panel):
    """The naive and the stable softmax of three logits ``scale * (1, 0, -1) + shift`` (chapter 2).

    Settings: ``scale`` (a log slider from 0.1 to 1000) and ``shift`` (added to
    every logit, from -1000 to 1000). :meth:`results` returns every number the
    panel shows; ``naive_status`` says whether the naive softmax was exact,
    inexact or invalid (``nan``).
    """

    chapter = 2
    figsize = (8.0, 3.4)
    question = ("Raise the logit scale past 710: what happens to the naive softmax, and does the stable "
                "one change? What do shifts of +1000 and -1000 do to each?")

    def __init__(self, scale=1.0, shift=0.0, *, caption=None):
        self.torch = _load_torch()
        self.naive_status = None
        controls = {
            "scale": log_slider("logit scale s", scale, *SCALE_RANGE),
            "shift": slider("shift c", shift, *SHIFT_RANGE, 1.0, readout_format=".0f"),
        }
        super().__init__(controls, caption=caption)

    def _build(self):
        line_ax, prob_ax = self.fig.subplots(1, 2, width_ratios=(1.25, 1.0))
        # float64's number line, by exponent: where exp() overflows, underflows, loses digits.
        line_ax.axvspan(LARGEST, EXPONENT_RANGE[1], color=COLORS["red"], alpha=0.15, linewidth=0)
        line_ax.axvspan(EXPONENT_RANGE[0], SMALLEST, color=COLORS["grey"], alpha=0.2, linewidth=0)
        line_ax.axvspan(SMALLEST, NORMAL, color=COLORS["yellow"], alpha=0.35, linewidth=0)
        for x, label in ((LARGEST + 10, "→ inf"), (EXPONENT_RANGE[0] + 10, "→ 0")):
            line_ax.text(x, 1.45, label, fontsize=8, color=COLORS["black"], va="center")
        self.exp_markers = {}
        for row, (kind, color) in enumerate((("stable", STABLE_COLOR), ("naive", NAIVE_COLOR))):
            for k, marker in enumerate(MARKERS):
                (self.exp_markers[kind, k],) = line_ax.plot([0.0], [row], marker, color=color, markersize=8,
                                                            markeredgecolor=COLORS["black"],
                                                            label=f"exp of class {k}" if row else None)
            (self.exp_markers[kind, "sum"],) = line_ax.plot([0.0], [row], "x", color=COLORS["black"],
                                                            markersize=10, markeredgewidth=2,
                                                            label="their sum" if row else None)
        line_ax.set_xlim(*EXPONENT_RANGE)
        line_ax.set_ylim(-0.6, 1.7)
        line_ax.set_yticks([0, 1], ["stable\nexp(z − m)", "naive\nexp(z)"])
        line_ax.legend(loc="lower left", ncol=2, fontsize=7)
        tidy(line_ax, title="each exponential on float64's number line", xlabel="log₁₀ of the value")

        positions = np.arange(CLASSES)
        self.naive_bars = prob_ax.bar(positions - 0.2, np.zeros(CLASSES), width=0.4, color=NAIVE_COLOR,
                                      label="naive")
        self.stable_bars = prob_ax.bar(positions + 0.2, np.zeros(CLASSES), width=0.4, color=STABLE_COLOR,
                                       label="stable")
        # "nan" drawn as a marker, whose path is built once: a text artist would cost ~10 ms per draw.
        (self.nan_marks,) = prob_ax.plot([], [], linestyle="none", marker="$nan$", markersize=22,
                                         color=COLORS["red"], label="naive is nan")
        prob_ax.set_xticks(positions, [f"class {k}" for k in positions])
        prob_ax.set_xlim(-0.6, CLASSES - 0.4)
        prob_ax.set_ylim(0.0, 1.25)
        prob_ax.legend(loc="upper right")
        tidy(prob_ax, title="softmax probabilities", ylabel="probability")
        mark_dynamic(*self.exp_markers.values(), *self.naive_bars, *self.stable_bars, self.nan_marks)

    def results(self):
        """Every number the panel shows, for its current settings, as a dict of floats and arrays."""
        z = logits_at(self.controls["scale"].value, self.controls["shift"].value)
        naive_exp, naive_sum, naive_p = naive_softmax(z)
        stable_exp, stable_sum, stable_p, log_p, lse = stable_softmax(z)
        with np.errstate(all="ignore"):  # log(0) = -inf is the point of showing log(naive p)
            log_naive_p = np.log(naive_p)
            naive_lse = np.log(naive_sum)
        logits = mlcore.tensor(z)
        return {
            "logits": z, "max": float(np.max(z)),
            "naive_exp": naive_exp, "naive_sum": float(naive_sum), "naive_p": naive_p,
            "naive_log_p": log_naive_p, "naive_logsumexp": float(naive_lse),
            "stable_exp": stable_exp, "stable_sum": float(stable_sum), "stable_p": stable_p,
            "stable_log_p": log_p, "logsumexp": float(lse),
            "mlcore_softmax": F.softmax(logits, dim=0).numpy(),
            "mlcore_log_softmax": F.log_softmax(logits, dim=0).numpy(),
        }

    def _update(self, state):
        numbers = self.results()
        self.naive_status = naive_status(numbers["naive_exp"], numbers["naive_sum"], numbers["naive_p"],
                                         numbers["stable_p"])
        z, m = numbers["logits"], numbers["max"]
        # The markers sit at the true value's exponent, z / ln 10: where the number *should* be.
        invalid = ~np.isfinite(numbers["naive_p"])
        for k in range(CLASSES):
            self.exp_markers["naive", k].set_xdata([z[k] / math.log(10)])
            self.exp_markers["stable", k].set_xdata([(z[k] - m) / math.log(10)])
            self.naive_bars[k].set_height(0.0 if invalid[k] else numbers["naive_p"][k])
            self.stable_bars[k].set_height(numbers["stable_p"][k])
        self.nan_marks.set_data(np.flatnonzero(invalid) - 0.2, np.full(invalid.sum(), 0.08))
        self.exp_markers["naive", "sum"].set_xdata([numbers["logsumexp"] / math.log(10)])
        self.exp_markers["stable", "sum"].set_xdata([math.log10(numbers["stable_sum"])])
        self.readout.value = self._table(numbers)

    def _table(self, numbers):
        """Every intermediate value, naive next to stable (mlcore) and PyTorch, as a table."""
        naive = [_text(numbers["naive_exp"]), f"{numbers['naive_sum']:.4g}", f"{numbers['naive_logsumexp']:.6g}",
                 _text(numbers["naive_p"]), _text(numbers["naive_log_p"])]
        stable = [_text(numbers["stable_exp"]), f"{numbers['stable_sum']:.4g}", f"{numbers['logsumexp']:.6g}",
                  _text(numbers["mlcore_softmax"]), _text(numbers["mlcore_log_softmax"])]
        if self.torch is None:
            theirs, note = ["-"] * 5, ("<br><i>PyTorch is not installed, so there is nothing to compare with: "
                                       "<code>pip install torch</code> (CPU build) to see its numbers here.</i>")
        else:
            z = self.torch.tensor(numbers["logits"], dtype=self.torch.float64)
            theirs = ["", "", f"{self.torch.logsumexp(z, dim=0).item():.6g}",
                      _text(self.torch.softmax(z, dim=0).numpy()), _text(self.torch.log_softmax(z, dim=0).numpy())]
            note = ""
        names = ["exponentials", "their sum", "log-sum-exp", "softmax p", "log p"]
        rows = [list(row) for row in zip(names, naive, stable, theirs)]
        header = ["", "naive: exp(z)", "stable: exp(z − m), by mlcore", "PyTorch"]
        return (f"logits z = {_text(numbers['logits'])}, m = max z = {numbers['max']:g}. "
                f"Naive softmax: <b>{self.naive_status}</b>" + table(header, rows) + note)
