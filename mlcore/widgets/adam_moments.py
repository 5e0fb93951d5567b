"""Adam-moments panel: what Adam's running means make of a noisy stream of gradients (chapter 6).

``mlcore.optim.Adam`` updates a 1-element ``nn.Parameter`` whose gradient at
step ``t`` is ``g_t = +1 + noise * xi_t`` for the first half of the steps and
``-1 + noise * xi_t`` after (the slope changes sign), ``xi_t`` standard normal
with a fixed seed. The panel reads Adam's own state after every step: the
first moment ``m_t`` (``exp_avg``), the second ``v_t`` (``exp_avg_sq``), their
bias-corrected ``m_hat = m / (1 - beta1^t)`` and ``v_hat = v / (1 - beta2^t)``,
and the step the parameter actually moved, ``lr * m_hat / (sqrt(v_hat) + eps)``,
beside the step Adam would take without the correction.
"""

import numpy as np

from ..nn.parameter import Parameter
from ..optim import Adam
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .base import Panel
from .controls import discrete_slider, log_slider, slider
from .readout import table

__all__ = ["BETA2_CHOICES", "AdamMomentsPanel", "LR", "NUM_STEPS", "gradient_stream"]

NUM_STEPS = 200
LR = 1e-3                 # Adam's default; the steps are shown in units of lr
SEED = 0
BETA2_CHOICES = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999)
MOMENT_RANGE = (-4.0, 4.0)
SECOND_RANGE = (1e-5, 30.0)
STEP_RANGE = (-4.0, 12.0)


def gradient_stream(noise, num_steps=NUM_STEPS, seed=SEED):
    """``g_1 ... g_num_steps``: +1 then, from the second half on, -1, plus ``noise`` times standard
    normal draws from ``seed`` (chapter 6)."""
    rng = np.random.default_rng(seed)
    mean = np.where(np.arange(1, num_steps + 1) <= num_steps // 2, 1.0, -1.0)
    return mean + noise * rng.standard_normal(num_steps)


class AdamMomentsPanel(Panel):
    """Adam's moments on a noisy 1-D gradient stream, with and without bias correction (chapter 6).

    Settings: ``beta1``, ``beta2``, ``noise`` (the spread of the gradient
    around its mean of +-1) and ``eps``. After a change, ``grads``, ``m``,
    ``v``, ``m_hat``, ``v_hat`` and ``steps`` (the parameter's move at each step,
    ``theta_{t-1} - theta_t``) hold the run, one entry per step t = 1 ... 200.
    """

    chapter = 6
    figsize = (10.0, 3.5)
    question = ("How large is Adam's first step with bias correction, and how large would it be without? "
                "Raise β₂ to 0.9999: how long do the uncorrected steps stay wrong?")

    def __init__(self, beta1=0.9, beta2=0.999, noise=0.5, eps=1e-8, *, caption=None):
        controls = {
            "beta1": slider("β₁", beta1, 0.0, 0.99, 0.01),
            "beta2": discrete_slider("β₂", list(BETA2_CHOICES), beta2),
            "noise": slider("gradient noise", noise, 0.0, 3.0, 0.1),
            "eps": log_slider("eps", eps, 1e-8, 1.0, steps_per_decade=4),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        first, second, step = self.fig.subplots(1, 3)
        self.first_ax, self.second_ax, self.step_ax = first, second, step
        t = np.arange(1, NUM_STEPS + 1)
        self._t = t

        (self.grad_dots,) = first.plot(t, t, ".", color=COLORS["grey"], markersize=2.5, alpha=0.6, label="gₜ")
        (self.m_line,) = first.plot(t, t, "--", color=COLORS["blue"], lw=1.3, label="mₜ")
        (self.m_hat_line,) = first.plot(t, t, "-", color=COLORS["blue"], lw=1.8, label="m̂ₜ (corrected)")
        first.axhline(0.0, color=COLORS["black"], lw=0.6)
        first.set_xlim(0, NUM_STEPS + 1)
        first.set_ylim(*MOMENT_RANGE)
        first.legend(loc="lower left", ncols=3, handlelength=1.5, columnspacing=0.8)
        tidy(first, title="first moment: running mean of gₜ", xlabel="step t")

        second.set_yscale("log")
        (self.v_line,) = second.plot(t, t, "--", color=COLORS["orange"], lw=1.3, label="vₜ")
        (self.v_hat_line,) = second.plot(t, t, "-", color=COLORS["orange"], lw=1.8, label="v̂ₜ (corrected)")
        second.set_xlim(0, NUM_STEPS + 1)
        second.set_ylim(*SECOND_RANGE)
        second.legend(loc="lower right")
        tidy(second, title="second moment: running mean of gₜ²", xlabel="step t")

        (self.step_line,) = step.plot(t, t, "-", color=COLORS["green"], lw=1.8, label="Adam's step")
        (self.raw_line,) = step.plot(t, t, "--", color=COLORS["red"], lw=1.3, label="without correction")
        for level in (-1.0, 1.0):
            step.axhline(level, color=COLORS["grey"], lw=0.8, ls=":")
        step.set_xlim(0, NUM_STEPS + 1)
        step.set_ylim(*STEP_RANGE)
        step.legend(loc="upper right")
        tidy(step, title=f"step ÷ lr (lr = {LR:g}): m̂/(√v̂ + eps)", xlabel="step t")
        mark_dynamic(self.grad_dots, self.m_line, self.m_hat_line, self.v_line, self.v_hat_line,
                     self.step_line, self.raw_line)

    # ----------------------------------------------------------------- update
    def _update(self, state):
        beta1, beta2, eps = state["beta1"], state["beta2"], state["eps"]
        self.grads = gradient_stream(state["noise"])
        theta = Parameter(np.zeros(1))
        adam = Adam([theta], lr=LR, betas=(beta1, beta2), eps=eps)
        m, v, steps = (np.empty(NUM_STEPS) for _ in range(3))
        for k, g in enumerate(self.grads):
            before = theta.data[0]
            theta.grad = np.array([g])
            adam.step()
            moments = adam.state[theta]
            m[k], v[k] = moments["exp_avg"][0], moments["exp_avg_sq"][0]
            steps[k] = before - theta.data[0]
        t = self._t
        self.m, self.v, self.steps = m, v, steps
        self.m_hat, self.v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
        self.uncorrected = LR * m / (np.sqrt(v) + eps)
        self.grad_dots.set_ydata(np.clip(self.grads, *MOMENT_RANGE))
        self.m_line.set_ydata(np.clip(m, *MOMENT_RANGE))
        self.m_hat_line.set_ydata(np.clip(self.m_hat, *MOMENT_RANGE))
        self.v_line.set_ydata(np.clip(v, *SECOND_RANGE))
        self.v_hat_line.set_ydata(np.clip(self.v_hat, *SECOND_RANGE))
        self.step_line.set_ydata(np.clip(steps / LR, *STEP_RANGE))
        self.raw_line.set_ydata(np.clip(self.uncorrected / LR, *STEP_RANGE))
        self._fill_readout(state)

    def _fill_readout(self, state):
        beta1, beta2 = state["beta1"], state["beta2"]
        rows = [[t, f"{self.grads[t - 1]:+.3f}", f"{self.m[t - 1]:+.4f}", f"{self.m_hat[t - 1]:+.4f}",
                 f"{self.v[t - 1]:.3g}", f"{self.v_hat[t - 1]:.3g}", f"{self.steps[t - 1] / LR:+.3f}",
                 f"{self.uncorrected[t - 1] / LR:+.3f}"] for t in (1, 2, 10, 100, 101, NUM_STEPS)]
        self.readout.value = (
            f"Bias factors after t steps: 1 − β₁ᵗ and 1 − β₂ᵗ start at {1 - beta1:.3g} and {1 - beta2:.3g}. "
            f"For a steady gradient the first step without correction is about lr·(1 − β₁)/√(1 − β₂) = "
            f"{(1 - beta1) / np.sqrt(1 - beta2):.3f} lr; with it, lr."
            + table(["t", "gₜ", "mₜ", "m̂ₜ", "vₜ", "v̂ₜ", "step ÷ lr", "uncorrected ÷ lr"], rows))
