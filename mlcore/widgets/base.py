"""The Panel: controls, a figure and a readout that move together (every chapter's live plots).

A panel owns its ipywidgets controls (``.controls``, name -> widget) and its
matplotlib figure (``.fig``). Building it draws the picture once; afterwards a
control change calls :meth:`Panel._update`, which moves the existing artists
(``set_data``, ``set_height``, ``set_text``...) and never rebuilds the figure.
Only artists marked dynamic are redrawn; the axes, ticks and static curves
come from a cached background (:mod:`mlcore.plots.cached_figure`).

A panel's settings are plain values: ``state()`` returns them and
``set_state`` restores them, so an instructor can write a setting down
("outlier_y=20") and a learner can come back to it. The state holds the
constructor's settings too (a seed, the data), so ``type(panel)(**panel.state())``
builds the same panel again.
"""

import base64
import html
import textwrap

import ipywidgets as widgets
import numpy as np

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, course_style
from .canvas import new_panel_figure, png_bytes, uses_ipympl
from .controls import check_value

__all__ = ["Diverged", "Panel"]


class Diverged(Exception):
    """Raised by a panel's update when its mathematics blows up; the panel shows the message."""


class Panel:
    """Base class of the live panels: subclasses define ``_build`` and ``_update``.

    Subclass contract:

    * a class attribute ``chapter`` (int) names the chapter that shows the
      panel; the panel is listed in ``mlcore.widgets.__all__``, the one
      registry the tests and the benchmark read;
    * every argument of ``__init__`` (except ``caption``) has a default and is
      either a control's value or a *setting* fixed when the panel is built
      (a seed, the data): ``__init__`` makes the controls (see
      :mod:`mlcore.widgets.controls`) and calls
      ``super().__init__(controls, settings={...}, caption=...)``, so that
      ``state()`` holds every argument and ``cls(**panel.state())`` rebuilds it;
    * ``_build()`` creates the axes and artists on ``self.fig``, marking those
      it will change with :func:`~mlcore.plots.cached_figure.mark_dynamic`;
    * ``_update(state)`` moves those artists for the control values in
      ``state`` and fills ``self.readout.value``; it raises :class:`Diverged`
      (or lets numpy raise FloatingPointError) when the numbers blow up.
    """

    figsize = (8.0, 3.4)
    question = ""
    chapter = None

    def __init__(self, controls, *, settings=None, caption=None):
        self.controls = dict(controls)
        self.settings = dict(settings or {})
        clash = sorted(set(self.settings) & set(self.controls))
        if clash:
            raise ValueError(f"{type(self).__name__}: {', '.join(clash)} is both a control and a setting.")
        self.readout = widgets.HTML()
        self.caption = widgets.HTML(_caption_html(self.question if caption is None else caption))
        self.diverged = None
        self._suspended = False
        self._image = None
        self._box = None
        with course_style():
            self.fig = new_panel_figure(self.figsize)
            self._build()
            self._diverged_text = mark_dynamic(self.fig.text(
                0.5, 0.5, "", ha="center", va="center", fontsize=13, color=COLORS["red"],
                fontweight="bold", visible=False,
                bbox={"facecolor": "white", "edgecolor": COLORS["red"], "alpha": 0.95}))
        self._freeze_layout()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._defaults = self.state()
        self.refresh()

    # ------------------------------------------------------------- subclass
    def _build(self):
        raise NotImplementedError

    def _update(self, state):
        raise NotImplementedError

    # ---------------------------------------------------------------- state
    def state(self):
        """The control values and the settings the panel was built with, as a dict ``name -> value``.

        ``type(panel)(**panel.state())`` builds the same panel again.
        """
        return {**{name: control.value for name, control in self.controls.items()}, **self.settings}

    def set_state(self, values=None, **more):
        """Set several controls at once (a dict and/or keywords); the panel redraws once.

        Every value is checked before any is applied, so a bad setting leaves
        the panel as it was. A state from :meth:`state` may be passed whole:
        its settings must then be this panel's (they are fixed when a panel is
        built).
        """
        values = {**(values or {}), **more}
        unknown = sorted(set(values) - set(self.controls) - set(self.settings))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no control named {', '.join(unknown)}; "
                             f"its controls are: {', '.join(self.controls)}.")
        for name in values.keys() & self.settings.keys():
            if not _same_setting(values[name], self.settings[name]):
                raise ValueError(
                    f"{type(self).__name__}: {name} is fixed when the panel is built (here {name}="
                    f"{self.settings[name]!r}), so set_state cannot make it {values[name]!r}; build a new "
                    f"panel instead: {type(self).__name__}(**state).")
        values = {name: value for name, value in values.items() if name in self.controls}
        checked = {name: self._checked(name, value) for name, value in values.items()}
        self._suspended = True
        try:
            for name, value in checked.items():
                self.controls[name].value = value
        finally:
            self._suspended = False
        self.refresh()
        return self

    def reset(self):
        """Return every control to the value the panel was built with."""
        return self.set_state(self._defaults)

    def _checked(self, name, value):
        try:
            return check_value(self.controls[name], name, value)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__}: {error}") from None

    # -------------------------------------------------------------- drawing
    def _on_change(self, _change):
        if not self._suspended:
            self.refresh()

    def refresh(self):
        """Recompute the picture from the controls and redraw what changed."""
        # Overflow or 0/0 means the mathematics diverged at this setting: show
        # that on the plot instead of printing numpy warnings.
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            try:
                self._update(self.state())
            except (Diverged, FloatingPointError) as error:
                self._show_diverged(str(error))
            else:
                self._show_diverged(None)
        self._redraw()

    def _show_diverged(self, message):
        self.diverged = message
        self._diverged_text.set_visible(message is not None)
        if message is not None:
            self._diverged_text.set_text(self._banner(f"diverged: {message}"))
            self.readout.value = (f'<b style="color:{COLORS["red"]}">diverged</b>: '
                                  f"{html.escape(message)}")

    def _banner(self, text):
        """``text`` wrapped onto lines that fit the figure's width with a margin: bold characters of the
        banner's size average under 0.6 em, so that many fit into 90 % of the width."""
        per_line = int(0.9 * self.fig.get_figwidth() * 72 / (0.6 * self._diverged_text.get_fontsize()))
        return textwrap.fill(text, per_line)

    def _redraw(self):
        if uses_ipympl(self.fig):
            self.fig.canvas.draw_idle()
        elif self._image is not None:
            self._image.value = png_bytes(self.fig)

    def _freeze_layout(self):
        """Run constrained layout once, then keep the positions: re-running it costs ~100 ms."""
        engine = self.fig.get_layout_engine()
        if engine is not None:
            engine.execute(self.fig)
            self.fig.set_layout_engine("none")

    # -------------------------------------------------------------- display
    def _controls_box(self):
        return widgets.HBox(list(self.controls.values()),
                            layout=widgets.Layout(flex_flow="row wrap", align_items="center"))

    @property
    def widget(self):
        """The panel as one ipywidgets box: controls, figure, readout, caption."""
        if self._box is None:
            if uses_ipympl(self.fig):
                view = self.fig.canvas
            else:
                self._image = widgets.Image(value=png_bytes(self.fig), format="png")
                view = self._image
            self._box = widgets.VBox([self._controls_box(), view, self.readout, self.caption])
        return self._box

    def _ipython_display_(self):
        from IPython.display import display

        bundle = self.widget._repr_mimebundle_() or {}
        bundle["text/plain"] = repr(self)
        # Where widgets cannot be shown (a static export, a viewer without the
        # widget manager) the frontend falls back to this picture.
        picture = self._image.value if self._image is not None else png_bytes(self.fig)
        bundle["image/png"] = base64.b64encode(picture).decode("ascii")
        display(bundle, raw=True)

    def __repr__(self):
        settings = ", ".join(f"{name}={value!r}" for name, value in self.state().items())
        return f"{type(self).__name__}({settings})"


def _same_setting(a, b):
    """Settings compare as plain values; a list given for a stored tuple is the same setting."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_setting(x, y) for x, y in zip(a, b))
    return a == b


def _caption_html(text):
    return f"<i>{html.escape(text)}</i>" if text else ""
