"""The panels' sliders keep the kernel's value against the browser's echoes (ipywidgets #3951).

A small model of the browser side of ipywidgets 8 (packages/base/src/widget.ts
and the slider views of packages/controls) drives the kernel's widget through
its real message handler: the browser applies every kernel message as it
comes, its slider shows each value rounded to the grid by percentages as
noUiSlider does, and it reports a value it shows differently; one message is
in flight at a time, later ones wait in a buffer (the newest wins) until the
kernel has processed it, and an echo reply is applied only if it answers the
browser's latest message. The kernel, as during Run All, reads the browser's
messages only after its queued cells have run.

The browser test (test_browser.py) checks the same in JupyterLab and Chromium.
"""

import itertools
import math

import ipywidgets
import pytest

from mlcore.widgets import OutlierPanel, SaturationPanel
from mlcore.widgets.controls import log_slider, slider

pytestmark = pytest.mark.filterwarnings("error")


class Browser:
    """The browser's copy of one slider, connected to the kernel's widget."""

    _ids = itertools.count(1)

    def __init__(self, control, *, view=True):
        self.control = control
        self.model = control.value
        self.view = view
        self.to_kernel = []  # (message id, value), in the order sent
        self.in_flight = None
        self.buffer = None
        self.expected_echo = None
        self.processing = None
        self.echoes = 0
        control.comm.publish_msg = self._from_kernel
        self._view_follows_model()  # a new view reports the value it shows, too

    # --------------------------------------------------------- the slider
    def shown(self, value):
        """The number noUiSlider shows for ``value``: its grid position computed through percentages."""
        log = isinstance(self.control, ipywidgets.FloatLogSlider)
        x = math.log10(value) if log else value
        low, high, step = self.control.min, self.control.max, self.control.step
        x = min(max(x, low), high)
        percent, step_percent = (x - low) / (high - low) * 100, step / (high - low) * 100
        snapped = min(round(percent / step_percent) * step_percent, 100.0)
        if 100.0 - percent < abs(percent - snapped):
            snapped = 100.0
        x = snapped / 100 * (high - low) + low
        return 10**x if log else x

    def create_view(self):
        self.view = True
        self._view_follows_model()

    def _view_follows_model(self):
        if self.view:
            shown = self.shown(self.model)
            if shown != self.model:
                self.model = shown
                self.echoes += 1
                self._sync(shown)

    def drag_to(self, value):
        """The learner moves the handle to the grid position of ``value``."""
        self.model = self.shown(value)
        self._sync(self.model)

    # ------------------------------------------------------------ messages
    def _sync(self, value):
        if self.in_flight is not None:
            self.buffer = value
        else:
            self._send(value)

    def _send(self, value):
        message_id = next(self._ids)
        self.to_kernel.append((message_id, value))
        self.in_flight = self.expected_echo = message_id

    def _from_kernel(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        if msg_type != "comm_msg" or "value" not in data.get("state", {}):
            return
        if data["method"] == "echo_update":
            if self.expected_echo is not None and self.expected_echo != self.processing:
                return  # answers an older message of ours
            self.expected_echo = None
            if self.buffer is not None:
                return  # a newer value of ours is on its way
        self.model = data["state"]["value"]
        self._view_follows_model()

    def kernel_reads_messages(self):
        """The kernel, idle again, handles every message the browser sent, in order."""
        while self.to_kernel:
            message_id, value = self.to_kernel.pop(0)
            self.processing = message_id
            self.control._handle_msg({"content": {"data": {"method": "update", "state": {"value": value},
                                                           "buffer_paths": []}}, "buffers": []})
            self.processing = None
            if self.in_flight == message_id:  # the kernel's "idle" for that message
                self.in_flight = None
                if self.buffer is not None:
                    value, self.buffer = self.buffer, None
                    self._send(value)


def plain_slider(value, low, high, step):
    """ipywidgets' own FloatSlider, as the panels used before."""
    return ipywidgets.FloatSlider(value=value, min=low, max=high, step=step)


# Chapter 2's guided task: the first logit of the softmax panel, built at 0.1
# (which its slider shows as 0.09999999999999964), is set to 0.1, 8 and -8.
RUN_ALL = [0.1, 8.0, -8.0]


def run_all(control, values):
    browser = Browser(control)
    for value in values:
        control.value = value
    browser.kernel_reads_messages()
    return browser


def test_the_model_browser_reproduces_the_bug_on_a_plain_slider():
    control = plain_slider(0.1, -10.0, 10.0, 0.1)
    run_all(control, RUN_ALL)
    assert control.value == 0.09999999999999964  # what the browser test saw in JupyterLab


def test_after_a_burst_of_settings_the_kernel_keeps_the_last_one_and_the_browser_shows_it():
    control = slider("logit z0", 0.1, -10.0, 10.0)
    browser = run_all(control, RUN_ALL)
    assert browser.echoes >= 1, "the model browser must echo for this test to mean anything"
    assert control.value == -8.0
    assert browser.model == -8.0


@pytest.mark.parametrize("values", [[0.1, 0.2, 0.3, -8.0, 8.0, 0.0], [-4.0, -8.0, -4.0, -0.7, 0.0, 4.0, 8.0],
                                    [0.3, 0.7, 1.1, 7.3, 3.3, 0.1], [0.7, 3.0]])
def test_every_burst_ends_at_its_last_value(values):
    control = slider("z", 0.0, -10.0, 15.0)
    browser = run_all(control, values)
    assert browser.echoes >= 1
    assert control.value == values[-1]
    assert browser.shown(browser.model) == browser.shown(values[-1])


def test_a_log_slider_keeps_its_end_value_exactly():
    control = log_slider("delta", 1.0, 0.1, 5.0)
    browser = run_all(control, [1.0, 0.1, 5.0])
    assert browser.shown(5.0) != 5.0  # 10 ** log10(5) is 5.000000000000001
    assert control.value == 5.0


def test_a_learner_move_is_applied_on_the_grid():
    control = slider("outlier x", 12.0, 0.0, 15.0)
    browser = run_all(control, RUN_ALL)
    browser.drag_to(7.3)
    browser.kernel_reads_messages()
    assert control.value == 7.3  # the grid's number, whatever the browser's rounding
    browser.drag_to(5.0)  # where an earlier setting was: a move now, not an echo
    browser.kernel_reads_messages()
    assert control.value == 5.0


def test_a_view_created_after_the_burst_echoes_only_the_current_value():
    control = slider("z", 0.0, -10.0, 10.0)
    browser = Browser(control, view=False)
    for value in [0.3, -8.0, 0.7]:
        control.value = value
    browser.create_view()
    browser.kernel_reads_messages()
    assert control.value == 0.7
    browser.drag_to(-8.0)
    browser.kernel_reads_messages()
    assert control.value == -8.0


def test_what_is_taken_for_a_late_echo_is_answered_with_the_kernels_value():
    # No view while the kernel set 0.7 and then 3.0 (which the slider shows
    # exactly, so the new view echoes nothing): 0.7 is never echoed, and the
    # learner's first move to it looks like its late echo.
    control = slider("z", 0.0, -10.0, 10.0)
    browser = Browser(control, view=False)
    control.value = 0.7
    control.value = 3.0
    browser.create_view()
    browser.drag_to(0.7)
    browser.kernel_reads_messages()
    assert control.value == 3.0
    assert browser.model == 3.0, "the browser must show the kernel's value, never another"
    browser.drag_to(0.7)
    browser.kernel_reads_messages()
    assert control.value == 0.7


@pytest.mark.parametrize("cls,settings", [
    (OutlierPanel, [{"outlier_x": 12.0, "outlier_y": 7.0}, {"outlier_x": 5.0, "outlier_y": 30.0},
                    {"outlier_x": 12.0, "outlier_y": 30.0, "delta": 10.0}]),
    (SaturationPanel, [{"y": 1, "z": -8.0}, {"z": -0.7}, {"y": 0, "z": 8.0}]),
])
def test_a_panel_ends_at_its_last_set_state(cls, settings):
    panel = cls()
    browsers = [Browser(control) for control in panel.controls.values()
                if isinstance(control, (ipywidgets.FloatSlider, ipywidgets.FloatLogSlider))]
    for setting in settings:
        panel.set_state(setting)
    expected = panel.state()
    for browser in browsers:
        browser.kernel_reads_messages()
    assert sum(browser.echoes for browser in browsers) >= 1
    assert panel.state() == expected


def test_grid_values_are_tidy_numbers():
    control = slider("b", 0.0, -4.0, 4.0, 0.05)
    assert [control.grid_value(v) for v in (-1.3499999999999999, 2.6500000000000004, -4.01, 3.99)] == \
        [-1.35, 2.65, -4.0, 4.0]
    log = log_slider("lr", 1.0, 0.1, 5.0)
    assert [log.grid_value(v) for v in (1.0000000000000002, 10**0.3 * (1 + 1e-15), 4.9, 0.0999)] == \
        [1.0, 10**0.3, 5.0, 0.1]
