"""How fast is one training step of chapter 8's convolutional network, next to PyTorch?

The network is the source articles' CIFAR-10 net (``mlcore.cnn.article_cnn(3)``): three 5x5
convolutions of 32, 32 and 64 channels with padding 2, each followed by 2x2
max-pooling, then Linear 1024 -> 64 -> 10. One step is forward, cross-entropy,
backward and an Adam update on a batch of 64 images of 3 x 32 x 32, in three
implementations started from the same weights: mlcore float32, mlcore float64
and torch eager float32. Everything runs on one thread (threadpoolctl and
torch.set_num_threads(1)). The implementations take turns, round after round,
and the table gives the median CPU time per step and its ratio to torch's.
The target: mlcore float32 within 2x of torch float32.

A second table splits mlcore's step into its parts, timed inside the real step
(mlcore's functions wrapped for that run only): im2col (with the zero border),
the matrix products of conv2d (GEMM: the forward product, the weight gradient
and the input gradient), col2im, max-pooling forward and backward, and the
rest (linear layers, loss, Adam, the graph). A stride-1 layer sends the
gradient back to its input as a convolution of the gradient (an im2col and a
GEMM, see ``mlcore.nn.functional.conv``), so in this network col2im does not
run. The GEMM row is what conv2d and its backward rule spend outside im2col and
col2im: the three matrix products per layer, adding the bias and summing its
gradient, and the copies that rearrange the output gradient into the layout of
those products.

Run: python benchmarks/bench_cnn.py [--rounds 15]
"""

import argparse
import statistics
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

import mlcore
import mlcore.nn as nn
import mlcore.nn.functional as F
import mlcore.optim as optim
from bench_mlp import blas_description  # benchmarks/, the directory of this script
from mlcore.cnn import article_cnn

BATCH, SIZE, LR, SEED = 64, 32, 1e-3, 0
# CPU time of this process: other programs sharing the machine's cores disturb it
# far less than wall time. Everything runs on one thread, so the two agree on an idle machine.
CLOCK = time.process_time


def data():
    """Seeded images, labels and torch's initial weights (as numpy arrays)."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((BATCH, 3, SIZE, SIZE))
    y = rng.integers(0, 10, BATCH)
    torch.manual_seed(SEED)
    weights = {k: v.detach().numpy().astype(np.float64) for k, v in article_cnn(3, lib=torch.nn).state_dict().items()}
    return x, y, weights


def mlcore_step(dtype):
    x, y, weights = data()
    net = article_cnn(3)
    net.load_state_dict(weights)
    net.to(dtype)
    opt = optim.Adam(net.parameters(), lr=LR)
    x, y = mlcore.tensor(x, dtype=dtype), mlcore.tensor(y)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_step(dtype):
    x, y, weights = data()
    net = article_cnn(3, lib=torch.nn)
    net.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    net.to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    x, y = torch.tensor(x, dtype=dtype), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


IMPLEMENTATIONS = {
    "mlcore float32": lambda: mlcore_step(np.float32),
    "mlcore float64": lambda: mlcore_step(np.float64),
    "torch float32": lambda: torch_step(torch.float32),
}


def check_same_losses(steps=3):
    """Every implementation must compute the same numbers, or the timings mean nothing."""
    reference = torch_step(torch.float64)
    expected = [reference() for _ in range(steps)]
    for name, make in IMPLEMENTATIONS.items():
        step = make()
        losses = [step() for _ in range(steps)]
        rtol = 1e-4 if "32" in name else 1e-10
        if not np.allclose(losses, expected, rtol=rtol):
            raise AssertionError(f"{name}: losses {losses} differ from torch float64's {expected}")


def seconds(step, repeats=1):
    start = CLOCK()
    for _ in range(repeats):
        step()
    return (CLOCK() - start) / repeats


def benchmark(rounds):
    steps = {name: make() for name, make in IMPLEMENTATIONS.items()}
    for step in steps.values():  # warm up caches and allocators
        for _ in range(3):
            step()
    samples = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            samples[name].append(seconds(step))
    return {name: statistics.median(times) for name, times in samples.items()}


# ------------------------------------------------------------ the step's parts
class Timers:
    """CPU seconds spent inside some of mlcore's functions while the real step runs.

    The functions are wrapped where the layers look them up (module globals),
    for this measurement only; a backward rule is timed by wrapping the
    ``_backward`` of the tensor its forward function returns.
    """

    def __init__(self):
        self.seconds = {}
        self._undo = []

    def wrap(self, module, name, key, backward_key=None):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            start = CLOCK()
            result = original(*args, **kwargs)
            self.add(key, CLOCK() - start)
            if backward_key is not None and result._backward is not None:
                result._backward = self.timed_rule(result._backward, backward_key)
            return result

        setattr(module, name, timed)
        self._undo.append((module, name, original))

    def timed_rule(self, rule, key):
        def timed(g):
            start = CLOCK()
            grads = rule(g)
            self.add(key, CLOCK() - start)
            return grads
        return timed

    def add(self, key, seconds):
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds

    def undo(self):
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)


def parts(dtype, steps):
    """Seconds per step in im2col, GEMM, col2im, max-pooling and the rest, measured inside the real
    step: the median of each over `steps` steps (so the parts need not add up to the step exactly)."""
    import mlcore.nn.conv as conv_layer
    import mlcore.nn.functional.conv as conv
    import mlcore.nn.pooling as pool_layer

    step = mlcore_step(dtype)
    step()
    timers = Timers()
    timers.wrap(conv, "batch_last", "im2col")  # the zero border im2col's windows slide over
    timers.wrap(conv, "im2col", "im2col")
    timers.wrap(conv, "col2im", "col2im")
    timers.wrap(conv_layer, "conv2d", "conv", "conv")
    timers.wrap(pool_layer, "max_pool2d", "max-pooling", "max-pooling")
    samples = []
    try:
        for _ in range(steps):
            timers.seconds = {}
            total = seconds(step)
            samples.append(dict(timers.seconds, step=total))
    finally:
        timers.undo()
    per_step = {key: statistics.median(sample.get(key, 0.0) for sample in samples)
                for key in ("step", "conv", "im2col", "col2im", "max-pooling")}
    split = {part: per_step[part] for part in ("im2col", "col2im", "max-pooling")}
    # Inside conv2d and its backward rule, what is not im2col or col2im is the three matrix
    # products per layer, plus adding the bias and summing its gradient (two passes over the output).
    split["GEMM"] = per_step["conv"] - split["im2col"] - split["col2im"]
    split["rest"] = per_step["step"] - sum(split.values())
    return per_step["step"], split


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="alternating repetitions")
    parser.add_argument("--steps", type=int, default=15, help="instrumented steps for the split")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        check_same_losses()
        medians = benchmark(args.rounds)
        print(f"numpy {np.__version__}, torch {torch.__version__}, BLAS: {blas_description()}")
        print(f"one thread each; median CPU time of {args.rounds} alternating rounds\n")
        print(f"one training step, batch {BATCH}, 3x{SIZE}x{SIZE} (forward + loss + backward + Adam)")
        ref = medians["torch float32"]
        for name, value in medians.items():
            print(f"  {name:<16}{value * 1e3:8.1f} ms   {value / ref:5.2f}x torch float32")
        print(f"  target: mlcore float32 within 2x of torch float32 "
              f"({'met' if medians['mlcore float32'] <= 2 * ref else 'NOT met'})\n")
        print(f"where mlcore's step goes (median of {args.steps} instrumented steps)")
        print(f"  {'part':<14}" + "".join(f"{d:>22}" for d in ("float32", "float64")))
        split = {d: parts(d, args.steps) for d in (np.float32, np.float64)}
        for part in ["im2col", "GEMM", "col2im", "max-pooling", "rest", "step"]:
            row = f"  {part:<14}"
            for total, values in split.values():
                value = total if part == "step" else values[part]
                row += f"{value * 1e3:>11.1f} ms ({value / total:4.0%})"
            print(row)
        print("  (GEMM includes adding the bias, summing its gradient and the copies that rearrange the output "
              "gradient for the products; im2col includes the zero border)")

if __name__ == "__main__":
    main()
