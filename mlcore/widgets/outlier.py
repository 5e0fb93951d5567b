"""Outlier panel: one point the learner drags, three lines fitted under MSE, MAE and Huber (chapter 1).

The squared error of a far-away point grows with the square of its distance, so
the MSE line tilts towards an outlier; the absolute error grows linearly, and
the MAE line stays on the other points (it passes through two of them);
Huber's loss is quadratic near the line and linear beyond ``delta``, so it sits
in between and follows MSE as ``delta`` grows.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from .base import Panel
from .controls import log_slider, slider
from .line_fits import fit_huber, fit_mae, fit_mse
from .readout import table

__all__ = ["OutlierPanel", "best_lines"]

X_RANGE = (0.0, 15.0)
Y_RANGE = (-10.0, 30.0)


def best_lines(x, y, delta):
    """``{loss: (slope, intercept)}``: the best line under MSE, MAE and Huber(``delta``)."""
    return {"mse": fit_mse(x, y), "mae": fit_mae(x, y), "huber": fit_huber(x, y, delta)}


class OutlierPanel(Panel):
    """Regression lines under MSE, MAE and Huber loss, live while an outlier moves (chapter 1).

    Settings: ``outlier_x``, ``outlier_y`` (where the outlier is), ``delta``
    (Huber's threshold). ``seed`` and ``n_points`` choose the other points:
    ``n_points`` inputs evenly spread over [0.5, 9.5] with targets
    ``1 + 0.5 x + noise`` (noise standard deviation 0.5).
    """

    chapter = 1
    figsize = (7.5, 4.2)
    question = ("Drag the outlier upwards: which line follows it and which stays with the other "
                "points? What happens to the MSE line when the outlier moves past x = 10?")
    losses = ("mse", "mae", "huber")

    def __init__(self, outlier_x=12.0, outlier_y=20.0, delta=1.0, *, seed=0, n_points=10,
                 caption=None):
        if n_points < 2:
            raise ValueError(f"n_points={n_points}: a line needs at least 2 points besides the outlier.")
        rng = np.random.default_rng(seed)
        self.x = np.linspace(0.5, 9.5, n_points)
        self.y = 1.0 + 0.5 * self.x + rng.normal(0.0, 0.5, n_points)
        controls = {
            "outlier_x": slider("outlier x", outlier_x, *X_RANGE),
            "outlier_y": slider("outlier y", outlier_y, *Y_RANGE),
            "delta": log_slider("Huber δ", delta, 0.1, 10.0),
        }
        super().__init__(controls, settings={"seed": seed, "n_points": n_points}, caption=caption)

    def _build(self):
        ax = self.fig.add_subplot()
        self._grid = np.linspace(*X_RANGE, 2)
        ax.plot(self.x, self.y, "o", color=COLORS["black"], label="data")
        # Huber dashed: it often lies on top of the MAE line.
        self.lines = {name: mark_dynamic(ax.plot(self._grid, self._grid, "--" if name == "huber" else "-",
                                                 color=LOSS_COLORS[name], label=name)[0])
                      for name in self.losses}
        self.outlier = mark_dynamic(ax.plot([], [], "o", color=COLORS["red"], markersize=10,
                                            markeredgecolor=COLORS["black"], label="outlier")[0])
        ax.legend(handles=list(self.lines.values()), labels=["MSE", "MAE", "Huber"], loc="upper left",
                  title="best line under")
        # One text for the three slopes: each text drawn costs milliseconds per
        # slider step, so the legend stays static and only the numbers move. It
        # sits above the plot, right of the title, where no point can be dragged.
        self.slopes_text = mark_dynamic(ax.text(1.0, 1.02, "", transform=ax.transAxes, ha="right",
                                                va="bottom", family="monospace"))
        ax.set_xlim(X_RANGE[0] - 0.5, X_RANGE[1] + 0.5)
        ax.set_ylim(Y_RANGE[0] - 1.0, Y_RANGE[1] + 1.0)
        tidy(ax, xlabel="x", ylabel="y")
        ax.set_title("The best line under each loss", loc="left")
        self.ax = ax

    def fits(self, state=None):
        """``{loss: (slope, intercept)}`` of the best line through the data and the outlier."""
        state = self.state() if state is None else state
        x = np.append(self.x, state["outlier_x"])
        y = np.append(self.y, state["outlier_y"])
        return best_lines(x, y, state["delta"])

    def _update(self, state):
        x = np.append(self.x, state["outlier_x"])
        y = mlcore.tensor(np.append(self.y, state["outlier_y"]))
        fits = self.fits(state)
        clean_fits = best_lines(self.x, self.y, state["delta"])
        self.outlier.set_data([state["outlier_x"]], [state["outlier_y"]])
        loss_functions = {"mse": F.mse_loss, "mae": F.l1_loss,
                          "huber": lambda y_hat, y: F.huber_loss(y_hat, y, delta=state["delta"])}
        rows, slopes = [], []
        for name in self.losses:
            slope, intercept = fits[name]
            self.lines[name].set_ydata(slope * self._grid + intercept)
            label = "Huber" if name == "huber" else name.upper()
            slopes.append(f"{label} {slope:.2f}")
            # The loss each line minimises, computed by the library the course teaches.
            loss = loss_functions[name](mlcore.tensor(slope * x + intercept), y).item()
            rows.append([label, f"{slope:.3f}", f"{intercept:.3f}", f"{slope - clean_fits[name][0]:+.3f}",
                         f"{loss:.4f}"])
        self.slopes_text.set_text("slopes: " + ", ".join(slopes))
        self.readout.value = table(["loss", "slope", "intercept", "slope moved by outlier",
                                    "its loss at the fit"], rows)
