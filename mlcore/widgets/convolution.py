"""Convolution panel: a 3x3 kernel slid over a digit, with padding, stride and the window it reads (chapter 8).

Each output pixel is the sum of a 3x3 window of the (zero-padded) input times
the kernel, element by element: a cross-correlation, which is what
``F.conv2d`` and every framework's "convolution" compute. The window starts
every ``stride`` pixels, so the output has ``(H + 2 p - k) // s + 1`` rows.
The panel computes the map with ``mlcore.nn.functional.conv2d``; the readout
writes out the sum for the highlighted window.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

import mlcore
import mlcore.nn.functional as F

from ..data.digits import digit_images
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .base import Panel
from .controls import discrete_slider, slider

__all__ = ["ConvolutionPanel", "KERNELS", "kernel_settings"]

SIZE = 16  # the 8x8 digits, each pixel repeated in a 2x2 block: big enough to see a 3x3 window move
K = 3
PADDINGS = (0, 1, 2)
STRIDES = (1, 2, 3)
LARGEST_OUTPUT = SIZE + 2 * max(PADDINGS) - K + 1
ENTRY_RANGE = (-5.0, 5.0)
ENTRY_STEP = 0.0625  # 1/16: the blur kernel's entries lie on the slider's grid

# Presets, in the order of their buttons. Edges in x respond to a change from left to right
# (vertical strokes), edges in y to a change from top to bottom (horizontal strokes).
KERNELS = {
    "edges x": [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],
    "edges y": [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]],
    "blur": [[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]],
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
    "identity": [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
}
ENTRIES = [f"k{i}{j}" for i in range(K) for j in range(K)]


def kernel_settings(name):
    """The panel settings ``{"k00": ..., ..., "k22": ...}`` of the preset ``name`` (one of ``KERNELS``)."""
    if name not in KERNELS:
        raise ValueError(f"no kernel preset named {name!r}; the presets are {', '.join(KERNELS)}.")
    return dict(zip(ENTRIES, np.ravel(KERNELS[name]).tolist()))


def output_size(size, kernel, padding, stride):
    """``(size + 2 * padding - kernel) // stride + 1``: the output rows (or columns) of a convolution."""
    return (size + 2 * padding - kernel) // stride + 1


class ConvolutionPanel(Panel):
    """A digit, a 3x3 kernel and the feature map ``F.conv2d`` makes of them (chapter 8).

    Settings: ``digit`` (the first image of that class in scikit-learn's digits,
    upsampled to 16x16), the kernel entries ``k00`` ... ``k22`` (row, column;
    the buttons load the presets of :data:`KERNELS`), ``padding``, ``stride``,
    and ``row``, ``col``: the output pixel whose window is highlighted (a
    position past the edge of a smaller output shows its last row or column).
    """

    chapter = 8
    figsize = (8.6, 3.4)
    question = ("Load 'edges x': which strokes of the digit light up, and with which sign? "
                "With padding 0 and stride 2, how many rows does the output keep, and why?")

    def __init__(self, digit=3, k00=-1.0, k01=0.0, k02=1.0, k10=-2.0, k11=0.0, k12=2.0, k20=-1.0,
                 k21=0.0, k22=1.0, padding=1, stride=1, row=4, col=4, *, caption=None):
        images, labels = digit_images(size=SIZE, dtype=np.float64)
        self.images = {d: images[np.flatnonzero(labels == d)[0], 0] for d in range(10)}
        entries = dict(zip(ENTRIES, (k00, k01, k02, k10, k11, k12, k20, k21, k22)))
        controls = {"digit": discrete_slider("digit", list(range(10)), digit)}
        controls.update({name: slider(f"k[{name[1]},{name[2]}]", value, *ENTRY_RANGE, ENTRY_STEP,
                                      readout_format=".4g")
                         for name, value in entries.items()})
        positions = list(range(LARGEST_OUTPUT))
        controls.update(padding=discrete_slider("padding p", list(PADDINGS), padding),
                        stride=discrete_slider("stride s", list(STRIDES), stride),
                        row=discrete_slider("window row", positions, row),
                        col=discrete_slider("window column", positions, col))
        self.preset_buttons = [widgets.Button(description=name, layout=widgets.Layout(width="auto"),
                                              tooltip=f"load the '{name}' kernel") for name in KERNELS]
        for button in self.preset_buttons:
            button.on_click(lambda b: self.set_state(kernel_settings(b.description)))
        super().__init__(controls, caption=caption)

    # ---------------------------------------------------------------- figure
    def _build(self):
        input_ax, kernel_ax, output_ax = self.fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.0, 0.55, 1.0]})
        border = max(PADDINGS)
        blank = np.zeros((SIZE, SIZE))
        self.input_image = mark_dynamic(input_ax.imshow(blank, cmap="gray_r", vmin=0.0, vmax=1.0,
                                                        interpolation="nearest"))
        # Drawn over the image, so it moves to the dynamic layer too.
        mark_dynamic(input_ax.add_patch(_square(SIZE, COLORS["blue"], "--", 1.2)))
        self.window = mark_dynamic(input_ax.add_patch(_square(K, COLORS["red"], "-", 2.0)))
        input_ax.set_xlim(-border - 0.5, SIZE + border - 0.5)
        input_ax.set_ylim(SIZE + border - 0.5, -border - 0.5)
        tidy(input_ax, title="padded input (dashed: the image)")

        self.kernel_image = mark_dynamic(kernel_ax.imshow(np.zeros((K, K)), cmap="RdBu_r", vmin=-1, vmax=1))
        # One text per kernel row, in a fixed-width font so its numbers sit over the columns:
        # every text drawn costs about a millisecond per control change.
        self.kernel_text = [mark_dynamic(kernel_ax.text(1, i, "", ha="center", va="center", fontsize=9,
                                                        family="monospace")) for i in range(K)]
        kernel_ax.set_xticks(range(K))
        kernel_ax.set_yticks(range(K))
        kernel_ax.grid(False)
        tidy(kernel_ax, title="kernel (3 x 3)")

        self.output_image = mark_dynamic(output_ax.imshow(np.zeros((1, 1)), cmap="RdBu_r",
                                                          interpolation="nearest"))
        self.output_pixel = mark_dynamic(output_ax.add_patch(_square(1, COLORS["red"], "-", 2.0)))
        output_ax.set_xlim(-0.5, LARGEST_OUTPUT - 0.5)
        output_ax.set_ylim(LARGEST_OUTPUT - 0.5, -0.5)
        tidy(output_ax, title="output feature map (red +, blue −)")
        for ax in (input_ax, output_ax):
            ax.grid(False)
            ax.set_autoscale_on(False)  # a new image extent must not move the limits (a full redraw)
        self.formula = mark_dynamic(self.fig.text(0.5, 0.01, "", ha="center", va="bottom", fontsize=10,
                                                  family="monospace"))
        self.fig.get_layout_engine().set(rect=(0, 0.08, 1, 0.92))

    def _update(self, state):
        image = self.images[state["digit"]]
        kernel = np.array([state[name] for name in ENTRIES]).reshape(K, K)
        p, s = state["padding"], state["stride"]
        out = self.feature_map(image, kernel, p, s)
        out_size = out.shape[0]
        r, c = min(state["row"], out_size - 1), min(state["col"], out_size - 1)

        padded = np.pad(image, p)
        self.input_image.set_data(padded)
        self.input_image.set_extent((-p - 0.5, SIZE + p - 0.5, SIZE + p - 0.5, -p - 0.5))
        top, left = r * s - p, c * s - p
        self.window.set_xy((left - 0.5, top - 0.5))

        scale = max(np.abs(kernel).max(), 1e-12)
        self.kernel_image.set_data(kernel)
        # The largest entry gets a mid-strength colour, on which the black numbers stay readable.
        self.kernel_image.set_clim(-1.6 * scale, 1.6 * scale)
        for text, row in zip(self.kernel_text, kernel):
            text.set_text("".join(f"{value:^7.3g}" for value in row))

        limit = max(np.abs(out).max(), 1e-12)
        self.output_image.set_data(out)
        self.output_image.set_extent((-0.5, out_size - 0.5, out_size - 0.5, -0.5))
        self.output_image.set_clim(-limit, limit)
        self.output_pixel.set_xy((c - 0.5, r - 0.5))
        self.formula.set_text(f"output size = ⌊(H + 2p − k) / s⌋ + 1 = ⌊({SIZE} + 2·{p} − {K}) / {s}⌋ + 1"
                              f" = {out_size}   (the map is {out_size} x {out_size})")

        window = padded[r * s:r * s + K, c * s:c * s + K]
        clamped = "" if (r, c) == (state["row"], state["col"]) else \
            f" (the output has {out_size} rows and columns, so the last window is shown)"
        self.readout.value = (
            f"window at output row {r}, column {c}{clamped}: input rows {top} to {top + K - 1}, columns "
            f"{left} to {left + K - 1}; Σ window ⊙ kernel = <b>{np.sum(window * kernel):.4g}</b>, "
            f"and F.conv2d gives {out[r, c]:.4g} there.")

    @staticmethod
    def feature_map(image, kernel, padding, stride):
        """``F.conv2d`` of one grey image (H, W) with one kernel (k, k): the output map as an array."""
        x = mlcore.tensor(np.asarray(image, dtype=np.float64)[None, None])
        w = mlcore.tensor(np.asarray(kernel, dtype=np.float64)[None, None])
        return F.conv2d(x, w, padding=padding, stride=stride).data[0, 0]

    def results(self):
        """What the panel shows, as numbers: the padded input, the kernel, the output map, the window
        position (row, col) and the output size."""
        state = self.state()
        image, p, s = self.images[state["digit"]], state["padding"], state["stride"]
        kernel = np.array([state[name] for name in ENTRIES]).reshape(K, K)
        out = self.feature_map(image, kernel, p, s)
        return {"input": np.pad(image, p), "kernel": kernel, "output": out,
                "position": (min(state["row"], out.shape[0] - 1), min(state["col"], out.shape[0] - 1)),
                "output_size": out.shape[0]}

    # --------------------------------------------------------------- layout
    def _controls_box(self):
        c = self.controls
        grid = widgets.VBox([widgets.HBox([c[f"k{i}{j}"] for j in range(K)]) for i in range(K)])
        presets = widgets.HBox([widgets.Label("load a kernel:"), *self.preset_buttons])
        settings = widgets.HBox([c[name] for name in ("digit", "padding", "stride", "row", "col")],
                                layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([settings, presets, grid])


def _square(size, color, linestyle, linewidth):
    """An unfilled square of ``size`` pixels whose corner is at pixel (0, 0)'s top left."""
    return Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor=color, linestyle=linestyle,
                     linewidth=linewidth)
