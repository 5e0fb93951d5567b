"""How long does one step of chapter 6's optimizer race take, with all seven optimizers racing?

Run:  python benchmarks/bench_optimizer_race.py  [--repeats N]

For every surface of the race, with all seven optimizers on and 200 steps:

  step          -- ``player.step()`` + ``fig.canvas.draw()`` on Agg, frame by frame
                   from 0 to 200: what one tick of play or one press of *step*
                   costs (seven paths, seven loss curves and the contours redrawn
                   over the cached background);
  optimizers    -- the seven ``mlcore.optim`` steps of one frame alone
                   (``SurfaceRun.advance_to``, fresh runs), the part of a step
                   that is the optimizers' work;
  first show    -- a change of surface at frame 200: all seven runs computed
                   to step 200, then drawn.

Medians and p95 in ms; the target for every move of a panel is 30 ms.

On a machine shared with other work the wall clock counts the time the
process waits for a core, so every table is printed twice: wall-clock time
(``time.perf_counter``, as benchmarks/bench_panels.py measures) and the CPU
time of this process (``time.process_time``), what the move costs on an idle
core. The last table does the same for every control of chapter 6's three
panels (the sweep of bench_panels.py).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

from mlcore.optimizer_runs import OPTIMIZERS, SurfaceRun  # noqa: E402
from mlcore.surfaces import SURFACES  # noqa: E402
from mlcore.widgets import AdamMomentsPanel, MomentumPanel, OptimizerRacePanel  # noqa: E402
from mlcore.widgets.controls import sweep_values  # noqa: E402

TARGET_MS = 30.0
NUM_STEPS = 200


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
CLOCK = time.perf_counter


def timed(action, count):
    times = []
    for _ in range(count):
        start = CLOCK()
        action()
        times.append((CLOCK() - start) * 1e3)
    return times


def bench_surface(name, repeats):
    race = OptimizerRacePanel(surface=name, num_steps=NUM_STEPS)
    race.fig.canvas.draw()
    steps = []
    for _ in range(repeats):
        race.player.reset()
        race.fig.canvas.draw()
        steps += timed(lambda: (race.player.step(), race.fig.canvas.draw()), NUM_STEPS)

    state = race.state()
    surface = SURFACES[name]
    optimizers = []
    for _ in range(repeats):
        runs = [SurfaceRun(surface, key, state[f"lr_{key}"], (state["w1"], state["w2"]), beta=state["beta"])
                for key in OPTIMIZERS]
        for k in range(1, NUM_STEPS + 1):
            start = CLOCK()
            for run in runs:
                run.advance_to(k)
            optimizers.append((CLOCK() - start) * 1e3)

    other = "rosenbrock" if name == "bowl" else "bowl"
    first_show = []
    for _ in range(repeats):
        fresh = OptimizerRacePanel(surface=other, num_steps=NUM_STEPS)
        fresh.fig.canvas.draw()
        first_show += timed(lambda: (fresh.set_state(surface=name), fresh.fig.canvas.draw()), 1)
    return steps, optimizers, first_show


def bench_controls(cls, changes):
    """Median and p95 of every control's changes over its whole range, callback + draw."""
    panel = cls()
    panel.fig.canvas.draw()
    rows = []
    for name, control in panel.controls.items():
        values = iter(sweep_values(control, changes))
        rows.append((name, timed(lambda: (setattr(control, "value", next(values)), panel.fig.canvas.draw()),
                                 changes)))
    return rows


def race_table(repeats):
    print(f"Optimizer race, all seven optimizers on, {NUM_STEPS} steps; ms (median / p95)\n")
    header = f"{'surface':<12} {'step':>15} {'optimizers':>15} {'first show':>15}"
    print(header)
    print("-" * len(header))
    every = []
    for name in SURFACES:
        steps, optimizers, first_show = bench_surface(name, repeats)
        every += steps
        cells = [f"{statistics.median(t):6.1f} / {np.percentile(t, 95):5.1f}" for t in (steps, optimizers, first_show)]
        print(f"{name:<12} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15}")
    median = statistics.median(every)
    print(f"\nrace step time, median over all surfaces: {median:.1f} ms, p95 {np.percentile(every, 95):.1f} ms "
          f"({'meets' if median <= TARGET_MS else 'MISSES'} the {TARGET_MS:.0f} ms target)\n")


def controls_table(changes):
    print(f"Chapter 6's panels, every control swept over its range ({changes} changes), callback + draw; "
          f"ms (median / p95)\n")
    for cls in (OptimizerRacePanel, MomentumPanel, AdamMomentsPanel):
        rows = bench_controls(cls, changes)
        every = [t for _, times in rows for t in times]
        for name, times in rows:
            print(f"  {cls.__name__:<19} {name:<12} {statistics.median(times):6.1f} / {np.percentile(times, 95):6.1f}")
        print(f"  {cls.__name__:<19} {'all':<12} {statistics.median(every):6.1f} / {np.percentile(every, 95):6.1f}\n")


def main():
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of 200 steps per surface (default 3)")
    parser.add_argument("--changes", type=int, default=15, help="changes per control (default 15)")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    for clock, function in CLOCKS.items():
        CLOCK = function
        print(f"==== {clock} clock ====\n")
        race_table(args.repeats)
        controls_table(args.changes)


if __name__ == "__main__":
    main()
