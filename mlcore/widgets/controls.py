"""The controls the panels are built from, with one look and checked values (all chapters).

ipywidgets clamps an out-of-range slider value without a word, so a setting an
instructor wrote down could silently come back different. Values given to a
panel are therefore checked here, and a wrong one is refused with a message
that says which values are allowed. The sliders keep the kernel's value
against the browser's echoes of it (:mod:`mlcore.widgets.slider_echoes`).
"""

import itertools
import math

import ipywidgets as widgets
import numpy as np

from .slider_echoes import LogSlider, Slider

__all__ = ["checkbox", "check_value", "choice", "discrete_slider", "jump_values", "log_slider", "slider",
           "sweep_values"]

_STYLE = {"description_width": "initial"}
_CHOICES = (widgets.ToggleButtons, widgets.Dropdown, widgets.RadioButtons, widgets.SelectionSlider)
# A slider's track and readout, beside its label. The label takes the room it
# needs ("initial"), so the widget grows with it: a fixed width would leave a
# long label's track a stub. A "ch" is the width of a digit; letters such as m
# and Greek ones are wider, hence the label's room of 1.2 ch a character.
_TRACK_AND_READOUT = "220px"


def _layout(description):
    return widgets.Layout(width=f"calc({1.2 * len(description):.1f}ch + {_TRACK_AND_READOUT})")


def slider(description, value, low, high, step=0.1, *, readout_format=".2f"):
    """A linear FloatSlider from ``low`` to ``high`` that reports while it is dragged."""
    control = Slider(min=low, max=high, step=step, description=description, continuous_update=True,
                     readout_format=readout_format, style=_STYLE, layout=_layout(description))
    return _with_value(control, description, value)


def log_slider(description, value, low, high, *, steps_per_decade=20, readout_format=".3g"):
    """A FloatLogSlider from ``low`` to ``high`` (both > 0), as used for rates and scales.

    Equal slider distances are equal factors (0.01 -> 0.1 -> 1), which is how a
    learning rate or a Huber delta is explored.
    """
    if not 0 < low < high:
        raise ValueError(f"a log slider needs 0 < low < high, got low={low}, high={high}.")
    control = LogSlider(ends=(low, high), base=10, min=math.log10(low), max=math.log10(high),
                        step=1.0 / steps_per_decade, description=description, continuous_update=True,
                        readout_format=readout_format, style=_STYLE, layout=_layout(description))
    return _with_value(control, description, value)


def choice(description, options, value):
    """ToggleButtons: one choice out of a few ``options``, values or (label, value) pairs."""
    control = widgets.ToggleButtons(options=options, description=description, style=_STYLE)
    return _with_value(control, description, value)


def discrete_slider(description, options, value):
    """A SelectionSlider over a few ordered ``options`` (e.g. batch sizes 1, 2, 4, ... on a log scale)."""
    control = widgets.SelectionSlider(options=options, description=description, continuous_update=True,
                                      style=_STYLE, layout=_layout(description))
    return _with_value(control, description, value)


def checkbox(description, value):
    """A Checkbox, for showing or hiding one curve."""
    control = widgets.Checkbox(description=description, indent=False,
                               layout=widgets.Layout(width="auto"))
    return _with_value(control, description, value)


def _with_value(control, name, value):
    control.value = check_value(control, name, value)
    return control


def _bounds(control):
    if isinstance(control, widgets.FloatLogSlider):
        return control.base ** control.min, control.base ** control.max
    return control.min, control.max


def check_value(control, name, value):
    """Return ``value`` if ``control`` can hold it exactly; otherwise raise a ValueError saying why."""
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)):
        low, high = _bounds(control)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name}={value!r} is not a number; give a number between {low:g} and {high:g}.")
        # Log-slider bounds are 10**exponent, which rounds; allow that rounding.
        slack = 1e-9 * max(abs(low), abs(high))
        if not low - slack <= value <= high + slack:
            raise ValueError(f"{name}={value!r} is outside the slider's range [{low:g}, {high:g}]; "
                             "pick a value inside it.")
        return min(max(value, low), high)
    if isinstance(control, widgets.Checkbox):
        if not isinstance(value, bool):
            raise ValueError(f"{name}={value!r} must be True or False.")
        return value
    if isinstance(control, _CHOICES):
        allowed = _choice_values(control.options)
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not one of the choices {allowed}.")
    return value


def _choice_values(options):
    """The values of selection options given as plain values or as (label, value) pairs."""
    return [option[1] if isinstance(option, tuple) else option for option in options]


def sweep_values(control, count=9):
    """``count`` settings spread over a control's whole range, for the panel tests and benchmark.

    Sliders go from one end to the other (log sliders in equal factors),
    choices and checkboxes cycle through every option. Any control a future
    panel adds is swept by the same rule, so no panel escapes the checks.
    """
    if isinstance(control, widgets.FloatLogSlider):
        return [float(v) for v in np.geomspace(*_bounds(control), count)]
    if isinstance(control, widgets.FloatSlider):
        return [float(v) for v in np.linspace(control.min, control.max, count)]
    if isinstance(control, widgets.Checkbox):
        return [bool(k % 2 == 0) != control.value for k in range(count)]
    if isinstance(control, _CHOICES):
        options = _choice_values(control.options)
        start = options.index(control.value) + 1
        return [options[(start + k) % len(options)] for k in range(count)]
    raise TypeError(f"no sweep rule for a {type(control).__name__}; add one to sweep_values.")


def jump_values(control, count=9):
    """``count`` settings of a control in an order that jumps across its range, as a click on the track does.

    The values of :func:`sweep_values`, taken alternately from the lower and
    the upper half of the range, so that every change moves a slider about
    half its range (choices and checkboxes change at every step anyway).
    """
    values = sweep_values(control, count)
    if not isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)):
        return values
    half = (count + 1) // 2
    low, high = values[:half], values[half:]
    return [v for pair in itertools.zip_longest(low, high) for v in pair if v is not None]
