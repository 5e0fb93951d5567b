"""Time one Adam step: mlcore.optim.Adam (in-place numpy) against torch.optim.Adam.

Run:  python benchmarks/bench_adam.py

Parameter sets: the 784-128-10 MLP of chapter 7 (101,770 numbers in 4 arrays), in
float64 and float32, and the single 2-element point that chapters 3 and 6 move over a
loss surface. Every implementation steps the same values with the same fixed
gradients; repetitions alternate between implementations (the order rotates), and the
table gives the median time per step and each one's time relative to mlcore's.
"""

import statistics
import time

import numpy as np
import torch

import mlcore
from mlcore import optim

REPETITIONS = 21
PARAMETER_SETS = {
    "MLP 784-128-10": [(128, 784), (128,), (10, 128), (10,)],
    "2-element point": [(2,)],
}
CASES = [("MLP 784-128-10", np.float64, 40), ("MLP 784-128-10", np.float32, 40),
         ("2-element point", np.float64, 2000)]
TORCH_VARIANTS = {
    "torch Adam (default)": {},
    "torch Adam foreach=False": {"foreach": False},
    "torch Adam foreach=True": {"foreach": True},
    "torch Adam fused=True": {"fused": True},
}


def make_arrays(shapes, dtype):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=shape).astype(dtype) for shape in shapes]
    grads = [rng.normal(size=shape).astype(dtype) for shape in shapes]
    return values, grads


def mlcore_stepper(values, grads):
    params = [mlcore.tensor(v.copy(), requires_grad=True) for v in values]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    return optim.Adam(params, lr=1e-3).step


def torch_stepper(values, grads, options):
    params = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g.copy())
    return torch.optim.Adam(params, lr=1e-3, **options).step


def seconds_per_step(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def bench(shapes, dtype, steps):
    values, grads = make_arrays(shapes, dtype)
    steppers = {"mlcore Adam": mlcore_stepper(values, grads)}
    steppers.update({name: torch_stepper(values, grads, options)
                     for name, options in TORCH_VARIANTS.items()})
    for step in steppers.values():
        seconds_per_step(step, 5)  # warm up: state creation and first-call overheads
    names = list(steppers)
    times = {name: [] for name in names}
    for rep in range(REPETITIONS):
        rotation = names[rep % len(names):] + names[:rep % len(names)]
        for name in rotation:
            times[name].append(seconds_per_step(steppers[name], steps))
    return {name: statistics.median(ts) for name, ts in times.items()}


def main():
    torch.set_num_threads(1)
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, "
          f"median of {REPETITIONS} alternating repetitions\n")
    header = (f"{'parameters':<17} {'dtype':<8} {'implementation':<26} "
              f"{'us/step':>9} {'vs mlcore':>10}")
    print(header)
    print("-" * len(header))
    for set_name, dtype, steps in CASES:
        medians = bench(PARAMETER_SETS[set_name], dtype, steps)
        ours = medians["mlcore Adam"]
        for name, seconds in medians.items():
            print(f"{set_name:<17} {np.dtype(dtype).name:<8} {name:<26} "
                  f"{seconds * 1e6:>9.1f} {seconds / ours:>9.2f}x")
        print()
    print("'vs mlcore' is time / mlcore's time: above 1x, mlcore is faster.")


if __name__ == "__main__":
    main()
