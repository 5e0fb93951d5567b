"""Softmax/cross-entropy panel: three logits, a true class, and what the loss does with them (chapter 2).

Softmax turns logits ``z`` into probabilities ``p``; cross-entropy with a
one-hot label ``y`` is ``-log p[true class]``; its gradient with respect to
the logits is ``p - y``: raise the true class's logit, lower the others, each
in proportion to how wrong its probability is. mlcore computes all three; the
readout holds PyTorch's numbers next to them.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from .base import Panel
from .controls import choice, slider
from .readout import table

__all__ = ["SoftmaxPanel", "softmax_cross_entropy"]

CLASSES = 3
LOGIT_RANGE = (-10.0, 10.0)


def softmax_cross_entropy(logits, target):
    """mlcore's ``(p, loss, dloss/dlogits)`` for one sample's logits and its true class."""
    z = mlcore.tensor(np.asarray(logits, dtype=np.float64)[None, :], requires_grad=True)
    loss = F.cross_entropy(z, mlcore.tensor([target]))
    loss.backward()
    with mlcore.no_grad():
        p = F.softmax(z, dim=1)
    return p.data[0], float(loss.item()), z.grad[0].copy()


def _torch_softmax_cross_entropy(torch, logits, target):
    z = torch.tensor(np.asarray(logits)[None, :], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor([target]))
    loss.backward()
    p = torch.softmax(z.detach(), dim=1)
    return p.numpy()[0], float(loss.item()), z.grad.numpy()[0].copy()


def _load_torch():
    """PyTorch if it is installed (it is the oracle, not a requirement of the panel)."""
    try:
        import torch
    except ImportError:
        return None
    # torch's and numpy's thread pools fight over the cores when both run in one kernel.
    torch.set_num_threads(1)
    return torch


def _numbers(values):
    return "[" + ", ".join(f"{v:.4f}" for v in np.atleast_1d(values)) + "]"


class SoftmaxPanel(Panel):
    """Softmax probabilities, cross-entropy and its gradient ``p - y`` for 3 logits (chapter 2).

    Settings: ``z0``, ``z1``, ``z2`` (the logits) and ``target`` (the true
    class, 0, 1 or 2). The defaults are the course's example: logits
    ``[0.1, 0.2, 0.3]`` with target 1 give a cross-entropy of 1.1019.
    """

    chapter = 2
    figsize = (8.0, 3.4)
    question = ("Make the wrong class very confident (its logit 8, the true one -8): how large does "
                "the cross-entropy get, and which gradient bar is largest?")

    def __init__(self, z0=0.1, z1=0.2, z2=0.3, target=1, *, caption=None):
        self.torch = _load_torch()
        controls = {f"z{k}": slider(f"logit z{k}", value, *LOGIT_RANGE, 0.1)
                    for k, value in enumerate((z0, z1, z2))}
        controls["target"] = choice("true class", [(f"class {k}", k) for k in range(CLASSES)], target)
        super().__init__(controls, caption=caption)

    def _build(self):
        prob_ax, grad_ax = self.fig.subplots(1, 2)
        classes = np.arange(CLASSES)
        self.prob_bars = prob_ax.bar(classes, np.zeros(CLASSES), color=COLORS["sky"],
                                     label="softmax p")
        self.target_box = prob_ax.bar([0], [1.0], fill=False, edgecolor=COLORS["black"],
                                      linewidth=1.5, linestyle="--", label="one-hot y")[0]
        self.grad_bars = grad_ax.bar(classes, np.zeros(CLASSES), color=LOSS_COLORS["cross_entropy"])
        self.loss_text = prob_ax.text(0.02, 0.97, "", transform=prob_ax.transAxes, va="top",
                                      fontweight="bold")
        # The numbers live in the readout table: every text drawn on the figure
        # costs milliseconds per slider step, bars cost microseconds.
        mark_dynamic(*self.prob_bars, self.target_box, *self.grad_bars, self.loss_text)
        prob_ax.set_ylim(0.0, 1.3)
        grad_ax.set_ylim(-1.25, 1.25)
        grad_ax.axhline(0.0, color=COLORS["black"], linewidth=0.8)
        for ax in (prob_ax, grad_ax):
            ax.set_xticks(classes, [f"class {k}" for k in classes])
            ax.set_xlim(-0.6, CLASSES - 0.4)
        prob_ax.legend(loc="upper right")
        tidy(prob_ax, title="probabilities p = softmax(z)", ylabel="probability")
        tidy(grad_ax, title="gradient ∂loss/∂z = p − y", ylabel="gradient")

    def _update(self, state):
        logits = np.array([state[f"z{k}"] for k in range(CLASSES)])
        target = state["target"]
        p, loss, grad = softmax_cross_entropy(logits, target)
        for k in range(CLASSES):
            self.prob_bars[k].set_height(p[k])
            self.grad_bars[k].set_height(grad[k])
        self.target_box.set_x(target - self.target_box.get_width() / 2)
        self.loss_text.set_text(f"cross-entropy {loss:.4f}")
        self.readout.value = self._comparison(logits, target, p, loss, grad)

    def _comparison(self, logits, target, p, loss, grad):
        """mlcore's numbers next to PyTorch's, as a table."""
        ours = {"softmax p": p, "cross-entropy": loss, "gradient p − y": grad}
        header = ["", "mlcore", "PyTorch", "max |difference|"]
        if self.torch is None:
            rows = [[name, _numbers(value), "-", "-"] for name, value in ours.items()]
            note = ("<br><i>PyTorch is not installed, so there is nothing to compare with: "
                    "<code>pip install torch</code> (CPU build) to see its numbers here.</i>")
            return table(header, rows) + note
        theirs = dict(zip(ours, _torch_softmax_cross_entropy(self.torch, logits, target)))
        rows = [[name, _numbers(ours[name]), _numbers(theirs[name]),
                 f"{np.max(np.abs(np.asarray(ours[name]) - theirs[name])):.1e}"] for name in ours]
        return (f"<code>F.cross_entropy(z=[{', '.join(f'{v:g}' for v in logits)}], target=[{target}])</code>"
                + table(header, rows))
