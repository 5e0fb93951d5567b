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
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

from mlcore.optimizer_runs import OPTIMIZERS, SurfaceRun  # noqa: E402
from mlcore.surfaces import SURFACES  # noqa: E402
from mlcore.widgets import OptimizerRacePanel  # noqa: E402

TARGET_MS = 30.0
NUM_STEPS = 200


def timed(action, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1e3)
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
            start = time.perf_counter()
            for run in runs:
                run.advance_to(k)
            optimizers.append((time.perf_counter() - start) * 1e3)

    other = "rosenbrock" if name == "bowl" else "bowl"
    first_show = []
    for _ in range(repeats):
        fresh = OptimizerRacePanel(surface=other, num_steps=NUM_STEPS)
        fresh.fig.canvas.draw()
        first_show += timed(lambda: (fresh.set_state(surface=name), fresh.fig.canvas.draw()), 1)
    return steps, optimizers, first_show


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of 200 steps per surface (default 3)")
    args = parser.parse_args()
    print(f"Optimizer race, all seven optimizers on, {NUM_STEPS} steps; ms (median / p95)\n")
    header = f"{'surface':<12} {'step':>15} {'optimizers':>15} {'first show':>15}"
    print(header)
    print("-" * len(header))
    every = []
    for name in SURFACES:
        steps, optimizers, first_show = bench_surface(name, args.repeats)
        every += steps
        cells = [f"{statistics.median(t):6.1f} / {np.percentile(t, 95):5.1f}" for t in (steps, optimizers, first_show)]
        print(f"{name:<12} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15}")
    median = statistics.median(every)
    print(f"\nrace step time, median over all surfaces: {median:.1f} ms, p95 {np.percentile(every, 95):.1f} ms "
          f"({'meets' if median <= TARGET_MS else 'MISSES'} the {TARGET_MS:.0f} ms target)")


if __name__ == "__main__":
    main()
