"""Play, pause, step and reset for panels that show a run one step at a time (chapters 3, 6, 7).

A :class:`Player` is a row of widgets around an ``ipywidgets.Play``. The Play
widget counts frames in the browser (play, pause, and stop, which goes back
to frame 0); the *step* button adds one stride; the *reset* button pauses and
goes back to frame 0. Every new frame number calls ``on_frame(frame)`` in the
kernel, which draws that frame. The browser keeps time, not the kernel: no
loop runs in the kernel while the panel plays, so sliders stay responsive.

:class:`SteppedPanel` is a :class:`~mlcore.widgets.base.Panel` with a Player.
Its controls set up a run (chapter 3: the iterates of gradient descent), the
Player moves through it. A training panel (chapters 6, 7) can make its frames
the epochs trained so far: ``_show_frame(k)`` then trains up to epoch ``k``.
"""

import ipywidgets as widgets
import numpy as np

from .base import Diverged, Panel

__all__ = ["Player", "SteppedPanel"]


class Player:
    """Play / pause / stop, step and reset around a frame counter that calls ``on_frame(frame)``.

    ``num_frames`` is the last frame (frames run from 0 to ``num_frames``),
    ``stride`` how many frames one tick of play or one press of *step*
    advances, ``interval_ms`` the time between ticks, and ``unit`` the word
    the counter and the tooltips use ("step", "epoch"...).
    """

    def __init__(self, on_frame, *, num_frames=0, stride=1, interval_ms=150, unit="step"):
        self.on_frame = on_frame
        self.unit = unit
        self.play = widgets.Play(value=0, min=0, max=max(int(num_frames), 0), step=max(int(stride), 1),
                                 interval=int(interval_ms), show_repeat=False,
                                 tooltip=f"play / pause / back to {unit} 0")
        button = widgets.Layout(width="auto")
        self.step_button = widgets.Button(description="step", icon="step-forward", layout=button,
                                          tooltip=f"one {unit} forward")
        self.reset_button = widgets.Button(description="reset", icon="undo", layout=button,
                                           tooltip=f"pause and go back to {unit} 0")
        self.counter = widgets.HTML()
        self._quiet = False
        self._widget = None
        self.play.observe(self._on_value, names="value")
        self.step_button.on_click(lambda _button: self.step())
        self.reset_button.on_click(lambda _button: self.reset())
        self._show_counter()

    @property
    def frame(self):
        """The frame on show."""
        return self.play.value

    @property
    def num_frames(self):
        """The last frame."""
        return self.play.max

    @property
    def widget(self):
        """The row of widgets: play / pause / stop, step, reset and the counter."""
        if self._widget is None:
            self._widget = widgets.HBox([self.play, self.step_button, self.reset_button, self.counter],
                                        layout=widgets.Layout(align_items="center"))
        return self._widget

    def show(self, frame):
        """Go to ``frame`` (clamped to 0 ... num_frames) and draw it."""
        frame = int(np.clip(frame, 0, self.num_frames))
        if frame == self.play.value:
            self._draw(frame)
        else:
            self.play.value = frame  # the observer draws it

    def step(self):
        """Pause, then advance one stride (at the last frame, stay there)."""
        self.play.playing = False
        self.show(self.frame + self.play.step)

    def reset(self):
        """Pause and go back to frame 0."""
        self.play.playing = False
        self.show(0)

    def set_num_frames(self, num_frames, frame, *, stride=1):
        """A new run: frames 0 ... ``num_frames``, now at ``frame``; nothing is drawn (the caller
        draws), and playing stops."""
        num_frames = max(int(num_frames), 0)
        self._quiet = True
        try:
            self.play.playing = False
            if num_frames >= self.play.max:
                self.play.max = num_frames
                self.play.value = int(np.clip(frame, 0, num_frames))
            else:
                self.play.value = int(np.clip(frame, 0, num_frames))
                self.play.max = num_frames
            self.play.step = max(int(stride), 1)
        finally:
            self._quiet = False
        self._show_counter()

    def _on_value(self, change):
        if not self._quiet:
            self._draw(change["new"])

    def _draw(self, frame):
        self._show_counter()
        self.on_frame(frame)

    def _show_counter(self):
        self.counter.value = f"<code>{self.unit} {self.frame} / {self.num_frames}</code>"


class SteppedPanel(Panel):
    """A Panel whose picture is one frame of a run; the controls set the run up, a Player plays it.

    Subclass contract, instead of Panel's ``_update``:

    * ``_run(state)`` computes the run for the control values in ``state``
      (raising :class:`~mlcore.widgets.base.Diverged` if it must) and returns
      its number of frames (the last frame number), or ``(frames, stride)``;
    * ``_show_frame(frame)`` moves the artists to that frame and fills the readout.

    After a control change the panel shows the last frame (``start_at_end``),
    the whole run the caption talks about; set ``start_at_end = False`` for a
    panel that should start from frame 0.
    """

    start_at_end = True
    unit = "step"
    interval_ms = 150
    # A training run (chapters 7 and 8) can diverge part-way through, and going back to an
    # earlier frame (reset) un-diverges it: such a panel decides at every frame, as refresh() does.
    diverges_part_way = False

    def __init__(self, controls, *, settings=None, caption=None):
        self.player = Player(self._on_frame, unit=self.unit, interval_ms=self.interval_ms)
        super().__init__(controls, settings=settings, caption=caption)

    def _run(self, state):
        raise NotImplementedError

    def _show_frame(self, frame):
        raise NotImplementedError

    def _update(self, state):
        run = self._run(state)
        frames, stride = run if isinstance(run, tuple) else (run, 1)
        self.player.set_num_frames(frames, frames if self.start_at_end else 0, stride=stride)
        self._show_frame(self.player.frame)

    def _on_frame(self, frame):
        if self.diverges_part_way:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                try:
                    self._show_frame(frame)
                except (Diverged, FloatingPointError) as error:
                    self._show_diverged(str(error))
                else:
                    self._show_diverged(None)
        elif self.diverged is None:
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                self._show_frame(frame)
        self._redraw()

    def _controls_box(self):
        return widgets.VBox([super()._controls_box(), self.player.widget])
