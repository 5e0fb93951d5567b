"""Accumulation panel: a training loop with and without ``zero_grad()``, step by step (chapter 5).

Both loops train chapter 3's regression ``y_hat = w * bmi + b`` with
``optim.SGD`` at the learner's rate (:func:`mlcore.accumulation.train`); one
calls ``opt.zero_grad()`` before every ``backward()``, the other never does.
Left: the loss at every step. Right: ``w.grad`` as the step used it, and, for
the loop without ``zero_grad()``, the gradient at its current ``w`` (what
``.grad`` should have held): ``.grad`` there is the running sum of those.
The checkbox chooses which loop is yours (drawn bold, with the readout);
the player steps through the training.
"""

import numpy as np

from ..accumulation import train
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .controls import checkbox, log_slider
from .player import SteppedPanel
from .readout import table

__all__ = ["AccumulationPanel", "GRAD_RANGE", "LOSS_RANGE", "STEPS"]

STEPS = 60
LOSS_RANGE = (0.0, 10.0)      # holds both loops' losses at every lr of the slider
GRAD_RANGE = (-100.0, 100.0)  # on a symmetric log axis, linear within ±1: holds every w.grad
RUN_COLORS = {True: COLORS["blue"], False: COLORS["orange"]}
RUN_LABELS = {True: "with zero_grad()", False: "without zero_grad()"}


class AccumulationPanel(SteppedPanel):
    """The loss and ``w.grad`` of SGD with and without ``zero_grad()``, step by step (chapter 5).

    Settings: ``lr`` (log slider) and ``zero_grad``: whether your loop calls
    ``opt.zero_grad()`` (both loops are drawn; yours is bold). ``runs[True]``
    and ``runs[False]`` are the two :class:`~mlcore.accumulation.TrainingRun`.
    """

    chapter = 5
    unit = "step"
    figsize = (8.6, 3.5)
    question = ("Untick zero_grad: what does w.grad hold at step 5, compared with the gradient at the "
                "current w? Why does the loss stop settling, at every learning rate?")

    def __init__(self, lr=0.1, zero_grad=False, *, caption=None):
        self._cache = {}
        controls = {
            "lr": log_slider("learning rate lr", lr, 1e-3, 1.0),
            "zero_grad": checkbox("call opt.zero_grad() in my loop", zero_grad),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        loss_ax, grad_ax = self.fig.subplots(1, 2)
        self.loss_ax, self.grad_ax = loss_ax, grad_ax
        self.loss_lines, self.grad_lines, self.loss_marks, self.grad_marks = {}, {}, {}, {}
        for zero_grad, color in RUN_COLORS.items():
            (self.loss_lines[zero_grad],) = loss_ax.plot([], [], color=color, label=RUN_LABELS[zero_grad])
            (self.grad_lines[zero_grad],) = grad_ax.plot([], [], color=color, label=f"w.grad, {RUN_LABELS[zero_grad]}")
            (self.loss_marks[zero_grad],) = loss_ax.plot([], [], "o", color=color, markersize=6)
            (self.grad_marks[zero_grad],) = grad_ax.plot([], [], "o", color=color, markersize=6)
        (self.true_grad,) = grad_ax.plot([], [], ":", color=COLORS["black"], lw=1.3,
                                         label="gradient at the current w (no zero_grad)")
        mark_dynamic(*self.loss_lines.values(), *self.grad_lines.values(), *self.loss_marks.values(),
                     *self.grad_marks.values(), self.true_grad)
        loss_ax.set_xlim(-1, STEPS)
        loss_ax.set_ylim(*LOSS_RANGE)
        tidy(loss_ax, title="loss at every step", xlabel="step", ylabel="MSE")
        grad_ax.set_yscale("symlog", linthresh=1.0)
        grad_ax.set_xlim(-1, STEPS)
        grad_ax.set_ylim(*GRAD_RANGE)
        grad_ax.axhline(0.0, color=COLORS["grey"], lw=0.8)
        tidy(grad_ax, title="w.grad as the step uses it", xlabel="step", ylabel="w.grad (symmetric log)")
        # One legend for both plots, above them: inside either it would cover curves at some rate.
        self.legend = self.fig.legend(handles=[self.loss_lines[True], self.loss_lines[False], self.true_grad],
                                      labels=[*RUN_LABELS.values(), "gradient at the current w, loop without "
                                              "zero_grad() (right)"], loc="outside upper center", ncols=3)

    # -------------------------------------------------------------------- run
    def _run(self, state):
        lr = state["lr"]
        if lr not in self._cache:
            self._cache = {lr: {zero_grad: train(lr, STEPS, zero_grad) for zero_grad in (True, False)}}
        self.runs = self._cache[lr]
        mine = state["zero_grad"]
        for zero_grad in (True, False):
            bold = zero_grad == mine
            for line in (self.loss_lines[zero_grad], self.grad_lines[zero_grad]):
                line.set_linewidth(2.4 if bold else 1.0)
                line.set_alpha(1.0 if bold else 0.55)
        return STEPS - 1

    def gradient_at_w(self):
        """The gradient at the current w along the loop without zero_grad: the step-to-step change
        of its ``.grad``, which holds their running sum."""
        grads = self.runs[False].grads
        return np.diff(grads, prepend=0.0)

    def _show_frame(self, frame):
        steps = np.arange(frame + 1)
        for zero_grad, run in self.runs.items():
            losses = np.clip(run.losses[:frame + 1], *LOSS_RANGE)
            grads = np.clip(run.grads[:frame + 1], *GRAD_RANGE)
            self.loss_lines[zero_grad].set_data(steps, losses)
            self.grad_lines[zero_grad].set_data(steps, grads)
            self.loss_marks[zero_grad].set_data([frame], [losses[-1]])
            self.grad_marks[zero_grad].set_data([frame], [grads[-1]])
        self.true_grad.set_data(steps, np.clip(self.gradient_at_w()[:frame + 1], *GRAD_RANGE))
        self._fill_readout(frame)

    def _fill_readout(self, frame):
        state = self.state()
        mine, other = self.runs[state["zero_grad"]], self.runs[not state["zero_grad"]]
        true = self.gradient_at_w()
        if state["zero_grad"]:
            words = ("Your loop calls <code>opt.zero_grad()</code>: every step uses the gradient at the "
                     "current w, and the loss settles at its minimum.")
        else:
            words = (f"Your loop never clears <code>.grad</code>: at step {frame} it holds the sum of all "
                     f"{frame + 1} gradients so far ({mine.grads[frame]:+.4f}), where the gradient at the "
                     f"current w is {true[frame]:+.4f}. SGD follows that sum, like momentum that never "
                     "forgets, so the parameters swing past the minimum and back.")
        rows = [[RUN_LABELS[run.zero_grad], f"{run.losses[frame]:.4f}", f"{run.grads[frame]:+.4f}",
                 f"{run.weights[frame][0]:+.4f}"] for run in (mine, other)]
        self.readout.value = (f"Step {frame} of {STEPS - 1}, lr = {state['lr']:.3g}. {words}"
                              + table(["loop", "loss", "w.grad", "w"], rows))
