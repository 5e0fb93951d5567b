"""How fast is one training step of mlcore, next to PyTorch and to plain numpy?

Times one full step (forward, loss, backward, SGD update) of three MLPs:

  (a) 2 -> 16 -> 16 -> 1, tanh, MSE, batch 100
  (b) 2 -> 64 -> 64 -> 2, ReLU, cross-entropy, batch 256
  (c) 784 -> 128 -> 10, ReLU, cross-entropy, batch 128

in four implementations: mlcore (float64), PyTorch eager (float32 and float64)
and a hand-written numpy forward and backward pass (float64): the floor that
any numpy library can reach, since it does the same arithmetic with no graph.
Everything runs on one thread. The implementations take turns, round after
round, and the table reports the median CPU time per step and its ratio to the floor.

Run: python benchmarks/bench_mlp.py [--rounds 15]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from threadpoolctl import threadpool_info, threadpool_limits

import mlcore
import mlcore.nn as nn
import mlcore.nn.functional as F
import mlcore.optim as optim

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LR = 0.01
SEED = 0
# CPU time of this process: other programs sharing the machine's cores disturb it
# far less than wall time. Everything runs on one thread, so the two agree on an idle machine.
CLOCK = time.process_time


class Task:
    """One benchmark network: layer sizes, activation, loss and batch size."""

    def __init__(self, name, sizes, activation, loss, batch, target):
        self.name, self.sizes, self.activation, self.loss = name, sizes, activation, loss
        self.batch, self.target = batch, target

    def data(self):
        """Seeded inputs, targets and initial weights (PyTorch's layout: W is (out, in))."""
        rng = np.random.default_rng(SEED)
        x = rng.standard_normal((self.batch, self.sizes[0]))
        if self.loss == "mse":
            y = rng.standard_normal((self.batch, self.sizes[-1]))
        else:
            y = rng.integers(0, self.sizes[-1], self.batch)
        weights = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            bound = 1 / np.sqrt(fan_in)
            weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)),
                            rng.uniform(-bound, bound, fan_out)))
        return x, y, weights


TASKS = [
    Task("(a) 2-16-16-1 tanh MSE, batch 100", [2, 16, 16, 1], "tanh", "mse", 100, "1.5"),
    Task("(b) 2-64-64-2 ReLU CE, batch 256", [2, 64, 64, 2], "relu", "ce", 256, "1.2"),
    Task("(c) 784-128-10 ReLU CE, batch 128", [784, 128, 10], "relu", "ce", 128, "1.1"),
]


# ---------------------------------------------------------------- mlcore
def mlcore_step(task):
    x, y, weights = task.data()
    act = nn.Tanh if task.activation == "tanh" else nn.ReLU
    layers = []
    for fan_in, fan_out in zip(task.sizes[:-1], task.sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), act()]
    net = nn.Sequential(*layers[:-1])
    net.load_state_dict({f"{2 * i}.{k}": v for i, (w, b) in enumerate(weights)
                         for k, v in (("weight", w), ("bias", b))})
    opt = optim.SGD(net.parameters(), lr=LR)
    x, y = mlcore.tensor(x), mlcore.tensor(y)
    loss_fn = F.mse_loss if task.loss == "mse" else F.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


# ----------------------------------------------------------------- torch
def torch_step(task, dtype):
    x, y, weights = task.data()
    act = torch.nn.Tanh if task.activation == "tanh" else torch.nn.ReLU
    layers = []
    for fan_in, fan_out in zip(task.sizes[:-1], task.sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out, dtype=dtype), act()]
    net = torch.nn.Sequential(*layers[:-1])
    with torch.no_grad():
        for i, (w, b) in enumerate(weights):
            net[2 * i].weight.copy_(torch.from_numpy(w))
            net[2 * i].bias.copy_(torch.from_numpy(b))
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    x = torch.tensor(x, dtype=dtype)
    y = torch.tensor(y, dtype=dtype) if task.loss == "mse" else torch.tensor(y)
    loss_fn = torch.nn.functional.mse_loss if task.loss == "mse" else torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


# ----------------------------------------------------------------- numpy
def numpy_step(task):
    """The same step written out by hand: the floor for a numpy library."""
    x, y, weights = task.data()
    params = [(w.copy(), b.copy()) for w, b in weights]
    rows = np.arange(task.batch)
    tanh = task.activation == "tanh"

    def step():
        activations = [x]
        for i, (w, b) in enumerate(params):
            z = activations[-1] @ w.T
            z += b
            if i < len(params) - 1:
                z = np.tanh(z) if tanh else np.maximum(z, 0)
            activations.append(z)
        out = activations[-1]
        if task.loss == "mse":
            error = out - y
            loss = np.mean(error * error)
            grad = error * (2 / error.size)
        else:
            shifted = out - out.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            sum_exp = exp.sum(axis=1, keepdims=True)
            loss = np.mean(np.log(sum_exp[:, 0]) - shifted[rows, y])
            grad = exp / sum_exp
            grad[rows, y] -= 1
            grad /= task.batch
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            a = activations[i]
            grad_w, grad_b = grad.T @ a, grad.sum(axis=0)
            if i > 0:
                grad = grad @ w
                grad *= (1 - a * a) if tanh else (a > 0)
            w -= LR * grad_w
            b -= LR * grad_b
        return float(loss)

    return step


IMPLEMENTATIONS = {
    "numpy floor f64": numpy_step,
    "mlcore f64": mlcore_step,
    "torch f32": lambda task: torch_step(task, torch.float32),
    "torch f64": lambda task: torch_step(task, torch.float64),
}


def check_same_losses(task, steps=3):
    """Every implementation must compute the same numbers, or the timings mean nothing."""
    runs = {name: make(task) for name, make in IMPLEMENTATIONS.items()}
    losses = {name: [run() for _ in range(steps)] for name, run in runs.items()}
    floor = np.array(losses["numpy floor f64"])
    for name, values in losses.items():
        rtol = 1e-4 if "f32" in name else 1e-10
        if not np.allclose(values, floor, rtol=rtol):
            raise AssertionError(f"{task.name}: {name} losses {values} differ from numpy's {list(floor)}")


def time_steps(step, seconds=0.02):
    """Seconds per step, from a block of steps lasting about `seconds`."""
    n = max(1, int(seconds / max(_one(step), 1e-7)))
    start = CLOCK()
    for _ in range(n):
        step()
    return (CLOCK() - start) / n


def _one(step):
    start = CLOCK()
    step()
    return CLOCK() - start


def benchmark(task, rounds):
    steps = {name: make(task) for name, make in IMPLEMENTATIONS.items()}
    for step in steps.values():  # warm up caches and allocators
        for _ in range(20):
            step()
    samples = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            samples[name].append(time_steps(step))
    return {name: statistics.median(times) for name, times in samples.items()}


def import_time(module, repeats=7):
    """Median CPU time of `import module` in a fresh interpreter (startup excluded).

    As on a learner's machine, the modules' bytecode is cached (in a temporary
    folder, even where PYTHONDONTWRITEBYTECODE is set): the first, uncounted
    import compiles it.
    """
    code = f"import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
    with tempfile.TemporaryDirectory() as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=REPO, PYTHONPYCACHEPREFIX=cache)
        times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      check=True, env=env).stdout) for _ in range(repeats + 1)]
    return statistics.median(times[1:])


def blas_description():
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    described = ", ".join(f"{i['internal_api']} {i.get('version')} kernel {i.get('architecture')}"
                          for i in blas)
    core = os.environ.get("OPENBLAS_CORETYPE")
    return described + (f" (OPENBLAS_CORETYPE={core})" if core else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="alternating repetitions per task")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        print(f"numpy {np.__version__}, torch {torch.__version__}, BLAS: {blas_description()}")
        print(f"one thread each; median of {args.rounds} alternating rounds; "
              f"CPU time per training step\n")
        names = list(IMPLEMENTATIONS)
        header = f"{'network':<36}" + "".join(f"{name:>22}" for name in names) + f"{'target':>9}"
        print(header)
        print("-" * len(header))
        for task in TASKS:
            check_same_losses(task)
            medians = benchmark(task, args.rounds)
            floor = medians["numpy floor f64"]
            cells = "".join(f"{medians[n] * 1e6:>10.0f} us ({medians[n] / floor:4.2f}x)" for n in names)
            print(f"{task.name:<36}{cells}{'<' + task.target + 'x':>9}", flush=True)
    print(f"\nimport time (fresh interpreter, median of 7): mlcore {import_time('mlcore'):.3f} s "
          f"(target < 0.25 s), of which numpy alone {import_time('numpy'):.3f} s")


if __name__ == "__main__":
    main()
