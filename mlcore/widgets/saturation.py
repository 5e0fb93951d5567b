"""Saturation panel: MSE and cross-entropy through a sigmoid, against the logit (chapter 2).

A binary classifier outputs ``p = sigmoid(z)``. With MSE, ``(p - y)**2``, the
gradient with respect to the logit is ``2 (p - y) p (1 - p)``: the factor
``p (1 - p)`` vanishes when the sigmoid saturates, so a confidently *wrong*
prediction (``z = -8`` for ``y = 1``) gets almost no push. Cross-entropy's
gradient is ``p - y``: the more wrong, the harder the push. mlcore computes the
curves (``F.mse_loss`` after ``mlcore.sigmoid``, and
``F.binary_cross_entropy_with_logits``) and their gradients by autograd.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from .base import Panel
from .controls import choice, slider
from .readout import table

__all__ = ["SaturationPanel", "losses_through_sigmoid"]

Z_RANGE = (-10.0, 10.0)
NAMES = {"mse": "MSE (σ(z) − y)²", "cross_entropy": "cross-entropy"}


def losses_through_sigmoid(z, y):
    """``{name: (loss, dloss/dz)}`` at logits ``z`` for label ``y``, MSE and cross-entropy.

    The loss of each logit depends on that logit only, so one backward pass of
    the summed loss gives every logit's derivative.
    """
    z = np.asarray(z, dtype=np.float64)
    target = mlcore.tensor(np.full(z.shape, float(y)))
    result = {}
    for name in NAMES:
        logits = mlcore.tensor(z, requires_grad=True)
        if name == "mse":
            losses = F.mse_loss(mlcore.sigmoid(logits), target, reduction="none")
        else:
            losses = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        losses.sum().backward()
        result[name] = (losses.data.copy(), logits.grad.copy())
    return result


class SaturationPanel(Panel):
    """Loss and gradient against the logit for MSE and cross-entropy on a sigmoid (chapter 2).

    Settings: ``z`` (the logit where the markers and the readout sit) and
    ``y`` (the true label, 0 or 1).
    """

    chapter = 2
    figsize = (8.0, 3.4)
    question = ("With y = 1, move z to −8: the prediction is confidently wrong. Which loss still "
                "pushes z upwards, and how many times harder than the other?")

    def __init__(self, z=-4.0, y=1, *, caption=None):
        controls = {
            "z": slider("logit z", z, *Z_RANGE, 0.1),
            "y": choice("true label y", [0, 1], y),
        }
        super().__init__(controls, caption=caption)

    def _build(self):
        self.grid = np.linspace(*Z_RANGE, 401)
        loss_ax, grad_ax = self.fig.subplots(1, 2)
        self.curves, self.markers = {}, {}
        for ax, kind in ((loss_ax, "loss"), (grad_ax, "gradient")):
            for name, label in NAMES.items():
                (curve,) = ax.plot(self.grid, self.grid, color=LOSS_COLORS[name], label=label)
                (marker,) = ax.plot([0.0], [0.0], "o", color=LOSS_COLORS[name],
                                    markeredgecolor=COLORS["black"], markersize=8)
                self.curves[kind, name] = mark_dynamic(curve)
                self.markers[kind, name] = mark_dynamic(marker)
            ax.set_xlim(*Z_RANGE)
        self.z_lines = [mark_dynamic(ax.axvline(0.0, color=COLORS["grey"], linestyle=":",
                                                linewidth=1.2))
                        for ax in (loss_ax, grad_ax)]
        loss_ax.set_ylim(-0.3, 10.5)
        grad_ax.set_ylim(-1.1, 1.1)
        grad_ax.axhline(0.0, color=COLORS["black"], linewidth=0.8)
        loss_ax.legend(loc="upper center")
        tidy(loss_ax, title="loss of p = σ(z)", xlabel="logit z", ylabel="loss")
        tidy(grad_ax, title="gradient ∂loss/∂z", xlabel="logit z", ylabel="gradient")

    def _update(self, state):
        z, y = state["z"], state["y"]
        curves = losses_through_sigmoid(np.append(self.grid, z), y)
        for name, (losses, gradients) in curves.items():
            for kind, values in (("loss", losses), ("gradient", gradients)):
                self.curves[kind, name].set_ydata(values[:-1])
                self.markers[kind, name].set_data([z], [values[-1]])
        for line in self.z_lines:
            line.set_xdata([z, z])
        p = float(mlcore.sigmoid(mlcore.tensor(z)).item())
        mse_grad = curves["mse"][1][-1]
        ce_grad = curves["cross_entropy"][1][-1]
        rows = [[NAMES[name], f"{curves[name][0][-1]:.4f}", f"{curves[name][1][-1]:+.6f}"]
                for name in NAMES]
        self.readout.value = (f"z = {z:+.2f}, y = {y}: p = σ(z) = {p:.4f}. "
                              f"Cross-entropy pushes z {_ratio(ce_grad, mse_grad)} as hard as MSE."
                              + table(["loss", "value", "gradient ∂loss/∂z"], rows))


def _ratio(a, b):
    """``|a| / |b|`` as text, without dividing by zero."""
    if abs(b) < 1e-300:
        return "infinitely many times"
    return f"{abs(a) / abs(b):.1f} times"
