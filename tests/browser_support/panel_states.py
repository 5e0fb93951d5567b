"""Where the kernel's panels ended after Run All, against where the notebook's code put them.

Before Run All, `RECORDER` runs in the notebook's kernel. It wraps
`mlcore.widgets.base.Panel` so that every panel the notebook builds is
remembered with the state its code last gave it: the state right after it was
built, then right after each `set_state` (and so each `reset`), together with
what that `set_state` asked for. The recorder is the test's, not the library's:
a panel cannot mark its own homework.

After Run All, `REPORT` prints, as JSON, every panel's `state()` now next to
that record. Between the two the browser may have sent slider values back to
the kernel (ipywidgets #3951: a slider echoes a float-rounded copy of every
value the kernel sets, and an echo that arrives late overwrites a newer
value); a panel whose state moved after the code's last word is a failure.
"""

import json
import time
from dataclasses import dataclass

RECORDER = r"""
def _mlcore_record_panels():
    import functools
    import weakref

    from mlcore.widgets.base import Panel

    if getattr(Panel, "_browser_test_records", None) is not None:
        return
    records = Panel._browser_test_records = []  # [panel weakref, what set it, asked, state then]
    built, set_state = Panel.__init__, Panel.set_state

    def remember(panel, how, asked):
        for record in records:
            if record[0]() is panel:
                record[1:] = [how, asked, panel.state()]
                return
        records.append([weakref.ref(panel), how, asked, panel.state()])

    @functools.wraps(built)
    def recorded_init(self, *args, **kwargs):
        built(self, *args, **kwargs)
        remember(self, "built", {})

    @functools.wraps(set_state)
    def recorded_set_state(self, values=None, **more):
        result = set_state(self, values, **more)
        remember(self, "set_state", {**(values or {}), **more})
        return result

    Panel.__init__, Panel.set_state = recorded_init, recorded_set_state


_mlcore_record_panels()
del _mlcore_record_panels
"""

REPORT = r"""
def _mlcore_report_panels():
    import json
    import sys

    panel_module = sys.modules.get("mlcore.widgets.base")
    records = getattr(getattr(panel_module, "Panel", None), "_browser_test_records", None) or []
    report = []
    for number, (ref, how, asked, then) in enumerate(records, start=1):
        panel = ref()
        if panel is not None:
            report.append({"number": number, "panel": type(panel).__name__, "how": how,
                           "asked": asked, "then": then, "now": panel.state()})
    print(json.dumps(report, default=repr))


_mlcore_report_panels()
del _mlcore_report_panels
"""

# Echoes reach the kernel only after every queued cell has run, and a throttled
# second echo follows the first; the report is read until it stops changing.
SETTLE_S = 3.0
SETTLE_TIMEOUT_S = 30.0
POLL_S = 1.0


@dataclass(frozen=True)
class PanelState:
    """One panel of the notebook, as the kernel reports it after Run All."""

    number: int
    panel: str
    how: str
    asked: dict
    then: dict
    now: dict

    def problems(self) -> list[str]:
        """Why this panel is not where the code left it (empty when it is)."""
        name = f"panel {self.number} ({self.panel})"
        found = []
        refused = {key: (value, self.then.get(key)) for key, value in self.asked.items()
                   if self.then.get(key) != value}
        if refused:
            found.append(f"{name}: set_state asked for " + ", ".join(
                f"{key}={asked!r} but the panel then held {held!r}" for key, (asked, held) in refused.items()))
        moved = {key: (value, self.now.get(key)) for key, value in self.then.items()
                 if self.now.get(key) != value}
        if moved:
            when = "after its last set_state" if self.how == "set_state" else "when it was built"
            found.append(f"{name}: {when}, the code had left it at " + ", ".join(
                f"{key}={then!r}" for key, (then, _) in moved.items())
                + "; after Run All it holds " + ", ".join(
                f"{key}={now!r}" for key, (_, now) in moved.items())
                + " (the browser sent older slider values back: ipywidgets #3951)")
        return found


def read_panel_states(notebook_page) -> list[PanelState]:
    """The report of REPORT, once it has stopped changing for SETTLE_S seconds."""
    started = time.monotonic()
    last, stable_since = None, started
    while True:
        report = json.loads(notebook_page.run_in_kernel(REPORT))
        now = time.monotonic()
        if report != last:
            last, stable_since = report, now
        if now - stable_since >= SETTLE_S or now - started >= SETTLE_TIMEOUT_S:
            return [PanelState(**entry) for entry in report]
        time.sleep(POLL_S)
