"""How fast does each live panel answer a move of its controls? (Every panel in mlcore.widgets.__all__.)

Run:  python benchmarks/bench_panels.py  [--changes N] [--frames N] [--strict]

For every panel listed in ``mlcore.widgets.__all__`` (so the panels of later
chapters are covered as soon as they are listed), each move is timed as the
learner feels it: the callback plus ``fig.canvas.draw()`` on Agg. Three kinds
of move, each over the controls' whole range:

  steps     -- one control at a time, swept from one end to the other in
               small equal steps (dragging a slider);
  jumps     -- one control at a time, alternating between the lower and the
               upper half of its range (clicking on a slider's track);
  set_state -- every control at once to a new setting that jumps (a guided
               task's cell, or ``reset``).

The target is 30 ms for every move: a median of at most 30 ms for each kind
of move of every panel (p95 is printed beside it).

Next to it, in the same run:
  full draws   -- moves that had to redraw the static background;
  full redraw  -- the same draw with the cached background thrown away, i.e.
                  what every move would cost without the cache;
  PNG fallback -- callback + draw + PNG encoding, the path taken when ipympl
                  is not active (inline backend) and the panel is on screen.
A further table times the frames of the panels that play (those with a
``player``, e.g. chapter 7's playground): one press of *step* at the default
settings (the training steps of one frame plus ``fig.canvas.draw()``), with
the same 30 ms target, except for panels whose frame is an epoch of real
training (``frame_is_training``, chapter 8's TrainingPanel): their frames, all
of one run and no redraws past its end, are reported in seconds per epoch. A last table times chapter 3's contour + 200-step
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
from mlcore.widgets.controls import jump_values, sweep_values  # noqa: E402
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


def timed(moves, after):
    """Milliseconds of each move (a function), each followed by ``after()``."""
    times = []
    for move in moves:
        start = time.perf_counter()
        move()
        after()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def control_moves(panel, name, values):
    control = panel.controls[name]
    return [lambda value=value: setattr(control, "value", value) for value in values]


def stats(times):
    return statistics.median(times), percentile(times, 95)


def bench_panel(cls, changes):
    """Per-control rows ``(control, steps median, p95, jumps median, p95)`` and a summary dict."""
    panel = cls()
    draw = panel.fig.canvas.draw
    draw()
    full_draws = panel.fig.full_draws
    rows, steps, jumps = [], [], []
    for name, control in panel.controls.items():
        stepped = timed(control_moves(panel, name, sweep_values(control, changes)), draw)
        jumped = timed(control_moves(panel, name, jump_values(control, changes)), draw)
        steps += stepped
        jumps += jumped
        rows.append((name, *stats(stepped), *stats(jumped)))
    settings = [{name: jump_values(control, changes)[k] for name, control in panel.controls.items()}
                for k in range(changes)]
    set_states = timed([lambda setting=setting: panel.set_state(setting) for setting in settings], draw)
    full_draws = panel.fig.full_draws - full_draws

    def full_redraw():
        panel.fig.stale = True
        draw()

    name, control = next(iter(panel.controls.items()))
    uncached = timed(control_moves(panel, name, jump_values(control, changes)), full_redraw)
    panel.widget  # on screen without ipympl: every change now re-encodes the PNG
    fallback = timed(control_moves(panel, name, jump_values(control, changes)), lambda: None)
    summary = {
        "moves": len(steps) + len(jumps) + len(set_states), "steps": stats(steps), "jumps": stats(jumps),
        "set_state": stats(set_states), "full_draws": full_draws,
        "uncached": statistics.median(uncached), "fallback": statistics.median(fallback),
    }
    return rows, summary


def bench_frames(cls, frames):
    """Milliseconds per frame of a panel that plays: player.step() (which trains) + draw."""
    panel = cls()
    panel.fig.canvas.draw()
    full_draws = panel.fig.full_draws
    times = timed_frames(panel, frames)
    return statistics.median(times), percentile(times, 95), panel.fig.full_draws - full_draws


def bench_epochs(cls):
    """Seconds per frame of a panel whose frame is an epoch of training: every frame of one default run."""
    panel = cls()
    panel.fig.canvas.draw()
    times = timed_frames(panel, panel.player.num_frames)
    return len(times), statistics.median(times) / 1e3, max(times) / 1e3


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

    print(f"Panel response to a move: callback + fig.canvas.draw() on Agg, in ms "
          f"({args.changes} moves per control and kind)\n")
    header = (f"{'panel':<16} {'control':<16} {'steps median':>12} {'p95':>6} "
              f"{'jumps median':>12} {'p95':>6}")
    print(header)
    print("-" * len(header))
    summaries = {}
    for name in mlcore.widgets.__all__:
        rows, summaries[name] = bench_panel(getattr(mlcore.widgets, name), args.changes)
        for control, step_median, step_p95, jump_median, jump_p95 in rows:
            print(f"{name:<16} {control:<16} {step_median:>12.1f} {step_p95:>6.1f} "
                  f"{jump_median:>12.1f} {jump_p95:>6.1f}")

    print(f"\nPer panel, all controls together (target: median <= {TARGET_MS:.0f} ms for every kind of move)\n")
    header = (f"{'panel':<16} {'moves':>5} {'steps median':>12} {'p95':>6} {'jumps median':>12} {'p95':>6} "
              f"{'set_state median':>16} {'p95':>6} {'full draws':>10} {'full redraw':>11} "
              f"{'PNG fallback':>12}  target")
    print(header)
    print("-" * len(header))
    missed = []
    for name, s in summaries.items():
        met = all(s[kind][0] <= TARGET_MS for kind in ("steps", "jumps", "set_state"))
        if not met:
            missed.append(name)
        print(f"{name:<16} {s['moves']:>5} {s['steps'][0]:>12.1f} {s['steps'][1]:>6.1f} "
              f"{s['jumps'][0]:>12.1f} {s['jumps'][1]:>6.1f} {s['set_state'][0]:>16.1f} "
              f"{s['set_state'][1]:>6.1f} {s['full_draws']:>10} {s['uncached']:>11.1f} "
              f"{s['fallback']:>12.1f}  {'met' if met else 'MISSED'}")
    print("\n'full draws': moves that had to redraw the static background (new axis limits).")

    stepped = [name for name in mlcore.widgets.__all__ if issubclass(getattr(mlcore.widgets, name), SteppedPanel)]
    training = [name for name in stepped if getattr(getattr(mlcore.widgets, name), "frame_is_training", False)]
    playing = [name for name in stepped if name not in training]
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

    if training:
        print("\nPanels whose frame is an epoch of real training (no 30 ms target): every frame of one run "
              "at the default settings, seconds per epoch\n")
        header = f"{'panel':<22} {'epochs':>6} {'median s':>9} {'max s':>7}"
        print(header)
        print("-" * len(header))
        for name in training:
            epochs, median, slowest = bench_epochs(getattr(mlcore.widgets, name))
            print(f"{name:<22} {epochs:>6} {median:>9.2f} {slowest:>7.2f}")

    rebuild, in_place = bench_contour()
    print("\nContour + 200-step trajectory (chapters 3 and 6), median ms")
    print(f"  rebuilt from scratch:             {rebuild:8.1f}")
    print(f"  updated in place, cached contour: {in_place:8.1f}   ({rebuild / in_place:.0f}x faster)")

    if missed:
        print(f"\nTARGET MISSED by: {', '.join(missed)}")
        if args.strict:
            raise SystemExit(1)
    else:
        print(f"\nEvery panel meets the target (median <= {TARGET_MS:.0f} ms for steps, jumps and set_state).")


if __name__ == "__main__":
    main()
