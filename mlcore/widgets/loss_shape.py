"""Loss-shape panel: each regression loss and its gradient against the residual (chapter 1).

The residual is ``r = y_hat - y``. MSE's gradient ``2 r`` grows with the error,
so big errors dominate the fit; MAE's gradient is ``sign(r)``, the same push
for every error; Huber is MSE inside ``|r| <= delta`` and MAE-like outside;
smooth L1 is Huber divided by ``delta`` (PyTorch calls its threshold
``beta``). Every curve is computed by ``mlcore.nn.functional`` and its
gradient by mlcore's autograd, the same code a learner trains with.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from .base import Panel
from .controls import checkbox, log_slider, slider
from .readout import table

__all__ = ["LossShapePanel", "loss_and_gradient"]

R_MAX = 3.0
LABELS = {"mse": "MSE", "mae": "MAE (L1)", "huber": "Huber", "smooth_l1": "smooth L1"}


def loss_and_gradient(name, residuals, delta):
    """Per-sample loss and its derivative with respect to the prediction, at ``residuals``.

    The target is 0, so the prediction *is* the residual. One backward pass of
    the summed loss gives every sample's derivative, since each sample's loss
    depends only on its own prediction.
    """
    y_hat = mlcore.tensor(np.asarray(residuals, dtype=np.float64), requires_grad=True)
    y = mlcore.zeros(y_hat.shape)
    if name == "mse":
        losses = F.mse_loss(y_hat, y, reduction="none")
    elif name == "mae":
        losses = F.l1_loss(y_hat, y, reduction="none")
    elif name == "huber":
        losses = F.huber_loss(y_hat, y, reduction="none", delta=delta)
    elif name == "smooth_l1":
        losses = F.smooth_l1_loss(y_hat, y, reduction="none", beta=delta)
    else:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LABELS)}.")
    losses.sum().backward()
    return losses.data.copy(), y_hat.grad.copy()


class LossShapePanel(Panel):
    """MSE, MAE, Huber and smooth L1, and their gradients, against the residual (chapter 1).

    Settings: ``delta`` (Huber's delta, which is also smooth L1's beta),
    ``residual`` (where the markers and the readout sit) and one
    ``show_<loss>`` checkbox per loss.
    """

    chapter = 1
    figsize = (8.0, 3.4)
    question = ("Set the residual to 2, then to 0.2: which loss pushes hardest in each case? "
                "What does Huber's gradient look like when δ is 0.1, and when it is 5?")

    def __init__(self, delta=1.0, residual=2.0, *, show_mse=True, show_mae=True, show_huber=True,
                 show_smooth_l1=True, caption=None):
        controls = {
            "delta": log_slider("δ (Huber) = β (smooth L1)", delta, 0.1, 5.0),
            "residual": slider("residual ŷ − y", residual, -R_MAX, R_MAX, 0.05),
            "show_mse": checkbox(LABELS["mse"], show_mse),
            "show_mae": checkbox(LABELS["mae"], show_mae),
            "show_huber": checkbox(LABELS["huber"], show_huber),
            "show_smooth_l1": checkbox(LABELS["smooth_l1"], show_smooth_l1),
        }
        super().__init__(controls, caption=caption)

    def _build(self):
        self.r = np.linspace(-R_MAX, R_MAX, 601)
        loss_ax, grad_ax = self.fig.subplots(1, 2)
        self.curves, self.markers = {}, {}
        self.delta_lines = []  # (side, line): Huber's kinks at -delta and +delta
        for ax, kind in ((loss_ax, "loss"), (grad_ax, "gradient")):
            for name, label in LABELS.items():
                # Dashed, because at delta = 1 smooth L1 and Huber are the same curve.
                style = "--" if name == "smooth_l1" else "-"
                (curve,) = ax.plot(self.r, self.r, style, color=LOSS_COLORS[name], label=label)
                (marker,) = ax.plot([0.0], [0.0], "o", color=LOSS_COLORS[name],
                                    markeredgecolor=COLORS["black"], markersize=7)
                self.curves[kind, name] = mark_dynamic(curve)
                self.markers[kind, name] = mark_dynamic(marker)
            self.delta_lines += [
                (side, mark_dynamic(ax.axvline(side, color=COLORS["grey"], linestyle=":",
                                               linewidth=1.2)))
                for side in (-1.0, 1.0)]
            ax.set_xlim(-R_MAX, R_MAX)
        loss_ax.set_ylim(-0.1, 5.0)
        grad_ax.set_ylim(-6.5, 6.5)
        grad_ax.axhline(0.0, color=COLORS["black"], linewidth=0.8)
        loss_ax.legend(loc="upper center", ncols=2)
        tidy(loss_ax, title="loss of one sample", xlabel="residual ŷ − y", ylabel="loss")
        tidy(grad_ax, title="gradient ∂loss/∂ŷ", xlabel="residual ŷ − y", ylabel="gradient")

    def _update(self, state):
        delta, residual = state["delta"], state["residual"]
        for side, line in self.delta_lines:
            line.set_xdata([side * delta] * 2)
        rows = []
        for name, label in LABELS.items():
            shown = state[f"show_{name}"]
            losses, gradients = loss_and_gradient(name, np.append(self.r, residual), delta)
            for kind, values in (("loss", losses), ("gradient", gradients)):
                self.curves[kind, name].set_ydata(values[:-1])
                self.curves[kind, name].set_visible(shown)
                self.markers[kind, name].set_data([residual], [values[-1]])
                self.markers[kind, name].set_visible(shown)
            if shown:
                rows.append([label, f"{losses[-1]:.4f}", f"{gradients[-1]:+.4f}"])
        self.readout.value = (f"at residual ŷ − y = {residual:+.2f}, δ = β = {delta:.3g}"
                              + table(["loss", "loss value", "gradient ∂loss/∂ŷ"], rows))
