"""Sliders whose value belongs to the kernel: the browser's echoes of it are dropped (all chapters).

Whenever the kernel sets a slider (a panel's ``set_state`` or ``reset``), the
slider in the browser (noUiSlider) moves its handle there and reports the
value it now shows back to the kernel. That report is the kernel's value
rounded to the slider's grid, often with a floating-point error (``5.0``
comes back as ``4.999999999999999``), and it reaches the kernel only after
every queued cell has run. After *Run All*, a guided task's
``set_state(outlier_x=12)`` was therefore overwritten by the late echo of an
earlier ``5`` (ipywidgets issue #3951), and the panel ended where no code had
put it.

Here the kernel's value wins. A value from the browser is judged before it is
applied:

* at the grid position the slider holds already: an echo of the current value
  (or no move at all), ignored;
* at the position of a value the kernel set earlier and has replaced since,
  and not exactly that value: a late echo, ignored; the kernel's value is sent
  again, so that the browser shows it;
* anything else is the learner moving the slider: applied, snapped to the grid
  (``5.0``, not ``4.999999999999999``).

The judgement rests on two facts of ipywidgets 8 (checked by
tests/test_slider_echoes.py and, in Chromium, by the browser test): the browser
sends its messages in order, and it echoes a kernel value only when its slider
shows a different number.
"""

import collections
import math

import ipywidgets as widgets

__all__ = ["LogSlider", "Slider"]

# Values the kernel set that the browser may still echo. A burst of set_state
# calls in one cell sends many; the browser echoes the first and (throttled)
# its latest, so the record must reach back over a whole burst.
SENT_KEPT = 4096
# Grid positions are compared after dividing by the step; this much rounding
# of the division is still "on the grid".
_ON_GRID = 1e-9


class _KernelOwnsTheValue:
    """The judging of browser values (see the module docstring), for a slider on a regular grid.

    A subclass says where the grid lies (``_grid``) and how a value maps to a
    coordinate on it (``_coordinate``, ``_value_at``).
    """

    def __init__(self, **kwargs):
        self._sent = collections.deque(maxlen=SENT_KEPT)
        self._applying_browser_value = False
        super().__init__(**kwargs)
        self._sent.append(self.value)  # the value the browser's model starts from
        self.observe(self._remember_sent, names="value")

    # ------------------------------------------------------------ the grid
    def _grid(self):
        """``(first, last, step)`` of the handle's positions, as coordinates."""
        return self.min, self.max, self.step

    def _coordinate(self, value):
        return value

    def _value_at(self, coordinate):
        return coordinate

    def _ends(self):
        """The values at the two ends of the slider."""
        return self.min, self.max

    def _position(self, value):
        """The index of the grid position nearest to ``value`` (the range's end counts as one)."""
        first, last, step = self._grid()
        steps = (last - first) / step
        whole = math.floor(steps + _ON_GRID)
        along = (self._coordinate(value) - first) / step
        if steps - whole > _ON_GRID and along >= (whole + steps) / 2:
            return whole + 1  # the end of a range that is not a whole number of steps
        return min(max(round(along), 0), whole)

    def grid_value(self, value):
        """The value of the grid position nearest to ``value``, tidy: 5.0, not 4.999999999999999."""
        first, last, step = self._grid()
        position = self._position(value)
        low, high = self._ends()
        if position == 0:
            return low
        if position * step >= (last - first) * (1 - _ON_GRID):
            return high
        return self._value_at(_tidy(first + position * step, first, step))

    # ----------------------------------------------------- kernel and browser
    def _remember_sent(self, change):
        if not self._applying_browser_value:
            self._sent.append(change["new"])

    def set_state(self, sync_data):
        """Apply a state the browser sent (ipywidgets calls this), judging its value first."""
        if "value" not in sync_data:
            return super().set_state(sync_data)
        rest = {name: value for name, value in sync_data.items() if name != "value"}
        value = sync_data["value"]
        if not _is_number(value):  # the trait's own validation refuses it
            return super().set_state(sync_data)
        verdict = self._judge(value)
        if verdict == "move":
            self._sent.clear()
            self._applying_browser_value = True
            try:
                return super().set_state({**rest, "value": self.grid_value(value)})
            finally:
                self._applying_browser_value = False
        if rest:
            super().set_state(rest)
        if verdict == "late echo":
            self.send_state("value")
        return None

    def _judge(self, value):
        """``"echo"``, ``"late echo"`` or ``"move"`` for a number the browser sent."""
        position = self._position(value)
        if position == self._position(self.value):
            # The browser shows the kernel's latest value, so every echo of an
            # older one has arrived already (it sends in order).
            self._sent.clear()
            return "echo"
        for index, sent in enumerate(self._sent):
            # A value equal to what the kernel sent is never its echo: the
            # browser echoes only values its slider shows differently.
            if sent != value and self._position(sent) == position:
                for _ in range(index + 1):
                    self._sent.popleft()
                return "late echo"
        return "move"


class Slider(_KernelOwnsTheValue, widgets.FloatSlider):
    """An ipywidgets FloatSlider whose value the browser's echoes cannot overwrite."""


class LogSlider(_KernelOwnsTheValue, widgets.FloatLogSlider):
    """An ipywidgets FloatLogSlider whose value the browser's echoes cannot overwrite.

    ``ends`` are the values at the two ends as the caller gave them:
    ``base ** max`` only approximates them (``10 ** log10(5)`` is
    ``5.000000000000001``).
    """

    def __init__(self, *, ends, **kwargs):
        self._given_ends = tuple(float(end) for end in ends)
        super().__init__(**kwargs)

    def _coordinate(self, value):
        return math.log(value, self.base)

    def _value_at(self, coordinate):
        return self.base ** coordinate

    def _ends(self):
        return self._given_ends


def _is_number(value):
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _tidy(number, *grid):
    """``number`` rounded to the fewest decimals (at most 12) that hold every number of ``grid`` exactly."""
    for decimals in range(13):
        if all(round(x, decimals) == x for x in grid):
            return round(number, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return number
