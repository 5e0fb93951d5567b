"""How fast does each live panel answer a control change? (Every panel in mlcore.widgets.__all__.)

Run:  python benchmarks/bench_panels.py  [--changes N] [--frames N] [--strict]

For every panel listed in ``mlcore.widgets.__all__`` (so the panels of later
chapters are covered as soon as they are listed), every control is swept over
its whole range (``mlcore.widgets.controls.sweep_values``) and each change is
timed as the learner feels it: the callback plus ``fig.canvas.draw()`` on Agg.
The target is a median of at most 30 ms for every panel.

Next to it, in the same run:
  full redraw  -- the same draw with the cached background thrown away, i.e.
                  what every change would cost without the cache;
  PNG fallback -- callback + draw + PNG encoding, the path taken when ipympl
                  is not active (inline backend) and the panel is on screen.
A further table times the frames of the panels that play (those with a
``player``, e.g. chapter 7's playground): one press of *step* at the default
settings (the training steps of one frame plus ``fig.canvas.draw()``), with
the same 30 ms target. A last table times chapter 3's contour + 200-step
trajectory picture rebuilt from scratch against updated in place over its
cached background.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

import mlcore.widgets  # noqa: E402
from mlcore.plots import contour_with_trajectory  # noqa: E402
from mlcore.widgets.canvas import png_bytes  # noqa: E402
from mlcore.widgets.controls import sweep_values  # noqa: E402
from mlcore.widgets.player import SteppedPanel  # noqa: E402

TARGET_MS = 30.0

try:
    import torch
except ImportError:  # the softmax panel then shows a note instead of PyTorch's numbers
    torch = None
else:
    torch.set_num_threads(1)


def percentile(values, q):
    return float(np.percentile(values, q))


def time_changes(panel, name, values, after):
    """Milliseconds per change of control `name` to each of `values`, each followed by `after()`."""
    control = panel.controls[name]
    times = []
    for value in values:
        start = time.perf_counter()
        control.value = value
        after()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def bench_panel(cls, changes):
    panel = cls()
    panel.fig.canvas.draw()
    rows, every = [], []
    full_draws = panel.fig.full_draws
    for name, control in panel.controls.items():
        values = sweep_values(control, changes)
        times = time_changes(panel, name, values, panel.fig.canvas.draw)
        every += times
        rows.append((name, len(times), statistics.median(times), percentile(times, 95)))
    full_draws = panel.fig.full_draws - full_draws

    def full_redraw():
        panel.fig.stale = True
        panel.fig.canvas.draw()

    name, control = next(iter(panel.controls.items()))
    uncached = time_changes(panel, name, sweep_values(control, changes), full_redraw)
    panel.widget  # on screen without ipympl: every change now re-encodes the PNG
    fallback = time_changes(panel, name, sweep_values(control, changes), lambda: None)
    summary = {
        "changes": len(every), "median": statistics.median(every), "p95": percentile(every, 95),
        "full_draws": full_draws, "uncached": statistics.median(uncached),
        "fallback": statistics.median(fallback),
    }
    return rows, summary


def bench_frames(cls, frames):
    """Milliseconds per frame of a panel that plays: player.step() (which trains) + draw."""
    panel = cls()
    panel.fig.canvas.draw()
    full_draws = panel.fig.full_draws
    times = timed_frames(panel, frames)
    return statistics.median(times), percentile(times, 95), panel.fig.full_draws - full_draws


def timed_frames(panel, frames):
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        panel.player.step()
        panel.fig.canvas.draw()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def bench_contour(steps=200, repetitions=15):
    def bowl(w1, w2):
        return 0.1 * w1**2 + 2.0 * w2**2

    def path(shift):
        k = np.arange(steps)
        return np.stack([-4.0 * 0.98**k + shift, 2.0 * (-0.9) ** k], axis=1)

    import matplotlib.pyplot as plt

    rebuild = []
    for r in range(repetitions):
        start = time.perf_counter()
        handle = contour_with_trajectory(bowl, (-5, 5), (-3, 3), path(0.01 * r))
        handle.ax.figure.canvas.draw()
        rebuild.append((time.perf_counter() - start) * 1e3)
        plt.close(handle.ax.figure)
    handle = contour_with_trajectory(bowl, (-5, 5), (-3, 3), path(0.0))
    handle.ax.figure.canvas.draw()
    in_place = []
    for r in range(repetitions * 4):
        start = time.perf_counter()
        handle.set_trajectory(path(0.01 * r))
        handle.ax.figure.canvas.draw()
        in_place.append((time.perf_counter() - start) * 1e3)
    plt.close(handle.ax.figure)
    return statistics.median(rebuild), statistics.median(in_place)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30, help="changes per control (default 30)")
    parser.add_argument("--frames", type=int, default=100, help="frames per playing panel (default 100)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a panel misses the target")
    args = parser.parse_args()

    print(f"Panel response to a control change: callback + fig.canvas.draw() on Agg, in ms "
          f"({args.changes} changes per control, swept over its range)\n")
    header = f"{'panel':<16} {'control':<16} {'changes':>7} {'median':>8} {'p95':>8}"
    print(header)
    print("-" * len(header))
    summaries = {}
    for name in mlcore.widgets.__all__:
        rows, summaries[name] = bench_panel(getattr(mlcore.widgets, name), args.changes)
        for control, count, median, p95 in rows:
            print(f"{name:<16} {control:<16} {count:>7} {median:>8.1f} {p95:>8.1f}")

    print(f"\nPer panel, all controls together (target: median <= {TARGET_MS:.0f} ms)\n")
    header = (f"{'panel':<16} {'changes':>7} {'median':>8} {'p95':>8} {'full draws':>10} "
              f"{'full redraw':>11} {'speed-up':>8} {'PNG fallback':>12}  target")
    print(header)
    print("-" * len(header))
    missed = []
    for name, s in summaries.items():
        met = s["median"] <= TARGET_MS
        if not met:
            missed.append(name)
        print(f"{name:<16} {s['changes']:>7} {s['median']:>8.1f} {s['p95']:>8.1f} {s['full_draws']:>10} "
              f"{s['uncached']:>11.1f} {s['uncached'] / s['median']:>7.1f}x {s['fallback']:>12.1f}  "
              f"{'met' if met else 'MISSED'}")
    print("\n'full draws': changes that had to redraw the static background (new axis limits).")

    playing = [name for name in mlcore.widgets.__all__ if issubclass(getattr(mlcore.widgets, name), SteppedPanel)]
    if playing:
        print(f"\nFrames of the panels that play: one step (training + draw) at the default settings, "
              f"{args.frames} frames, ms (target: median <= {TARGET_MS:.0f} ms)\n")
        header = f"{'panel':<22} {'frames':>6} {'median':>8} {'p95':>8} {'full draws':>10}  target"
        print(header)
        print("-" * len(header))
        for name in playing:
            median, p95, full = bench_frames(getattr(mlcore.widgets, name), args.frames)
            if median > TARGET_MS:
                missed.append(f"{name} (frames)")
            print(f"{name:<22} {args.frames:>6} {median:>8.1f} {p95:>8.1f} {full:>10}  "
                  f"{'met' if median <= TARGET_MS else 'MISSED'}")

    rebuild, in_place = bench_contour()
    print("\nContour + 200-step trajectory (chapters 3 and 6), median ms")
    print(f"  rebuilt from scratch:             {rebuild:8.1f}")
    print(f"  updated in place, cached contour: {in_place:8.1f}   ({rebuild / in_place:.0f}x faster)")

    if missed:
        print(f"\nTARGET MISSED by: {', '.join(missed)}")
        if args.strict:
            raise SystemExit(1)
    else:
        print(f"\nEvery panel meets the target (median <= {TARGET_MS:.0f} ms).")


if __name__ == "__main__":
    main()
