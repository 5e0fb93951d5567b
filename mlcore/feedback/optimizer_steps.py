"""Checks for chapter 6's one-step functions: momentum, RMSprop, Adam and Adam with weight decay.

The learner writes one step, with its state passed in and handed back::

    momentum_step(theta, grad, velocity, lr, momentum)            -> (theta, velocity)
    rmsprop_step(theta, grad, square_avg, lr, alpha, eps)         -> (theta, square_avg)
    adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)        -> (theta, m, v, t)
    adam_decay_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled)
                                                                  -> (theta, m, v, t)

The driver :func:`trajectory` calls such a function for ``num_steps`` steps from
zero state (``t = 0``: no step taken yet), feeding back the state it
returns, and records every ``theta``. The check drives the learner's step
with it (``checks.driven``): under mlcore-grade the hundreds of steps of all
the cases run in the learner's kernel in one round trip, and only the
iterates come back. The references run the same problem through
``mlcore.optim``'s SGD(momentum), RMSprop, Adam and AdamW on an
``nn.Parameter``; tests/test_feedback_optimizers.py checks that they equal
``torch.optim``'s over 100 steps. Each misconception is a step function
written with one mistake, driven the same way.
"""

import functools

import numpy as np

from ..nn.parameter import Parameter
from ..optim import SGD, Adam, AdamW, RMSprop
from .checks import FAIL_MARK, CheckFailed, Misconception, check_function, driven, driven_misconceptions
from .optimizer_problems import BOWL, QUARTIC, ROSENBROCK
from .registry import exercise

__all__ = [
    "ADAM_CASES", "ADAM_MISCONCEPTIONS", "DECAY_CASES", "DECAY_MISCONCEPTIONS", "FIRST_STEP_CASES",
    "FIRST_STEP_MISCONCEPTIONS", "MOMENTUM_CASES", "MOMENTUM_MISCONCEPTIONS", "RMSPROP_CASES",
    "RMSPROP_MISCONCEPTIONS", "adam_cases", "adam_decay_step", "adam_step", "check_adam_decay_step", "check_adam_step",
    "check_first_step_without_correction", "check_momentum_step", "check_rmsprop_step", "decay_cases",
    "first_step_cases", "momentum_cases", "momentum_step", "reference_adam", "reference_adam_decay",
    "reference_first_step_without_correction", "reference_momentum", "reference_rmsprop", "rmsprop_cases",
    "rmsprop_step", "trajectory",
]


def trajectory(step, grad, theta0, hyper, num_steps, *, states, counter=False):
    """The driver: the iterates ``theta_0 ... theta_num_steps`` of ``num_steps`` calls
    ``step(theta, grad(theta), *state, *hyper)``, as an array.

    The state starts as ``states`` arrays of zeros, then the step counter 0 if
    ``counter``; each call must return ``(theta, *state)`` and the next call
    gets that state. A ``ZeroDivisionError`` (Python's answer to ``lr / (1 -
    beta1**0)``, where numpy's is ``inf``) makes the rest of the trajectory
    NaN, as numpy would: both are the same mistake.
    """
    theta = np.array(theta0, dtype=np.float64)
    state = [np.zeros_like(theta) for _ in range(states)] + ([0] if counter else [])
    iterates = [theta.copy()]
    for _ in range(num_steps):
        try:
            result = step(theta, grad(theta), *state, *hyper)
        except ZeroDivisionError:
            iterates += [np.full_like(theta, np.nan)] * (num_steps + 1 - len(iterates))
            break
        theta, *state = _unpack(step, result, len(state) + 1)
        theta = np.array(theta, dtype=np.float64)
        iterates.append(theta.copy())
    return np.array(iterates)


def _unpack(step, result, length):
    if not isinstance(result, (tuple, list)) or len(result) != length:
        got = (f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list))
               else f"a {type(result).__name__}")
        raise CheckFailed(f"{FAIL_MARK} {getattr(step, '__name__', 'your step')} must return a tuple of {length} "
                          f"values, the new theta and the new state, in the order of its arguments; it returned "
                          f"{got}.")
    return result


def _check_steps(step, reference, cases, misconceptions, *, name, states, counter=False):
    """``check_function`` of the iterates of ``step`` (the exercise's function ``name``), driven by
    :func:`trajectory`."""
    driver = functools.partial(trajectory, states=states, counter=counter)
    check_function(driven(driver, step), reference, cases, misconceptions=driven_misconceptions(driver, misconceptions),
                   name=f"the iterates of {name}")


def _run(optimizer_class, grad, theta0, num_steps, **options):
    """The iterates of ``optimizer_class([theta], **options)`` with ``theta.grad = grad(theta)``."""
    theta = Parameter(np.array(theta0, dtype=np.float64))
    optimizer = optimizer_class([theta], **options)
    iterates = [theta.data.copy()]
    for _ in range(num_steps):
        theta.grad = np.asarray(grad(theta.data.copy()), dtype=np.float64)
        optimizer.step()
        iterates.append(theta.data.copy())
    return np.array(iterates)


# ---- momentum -----------------------------------------------------------------------------

def reference_momentum(grad, theta0, hyper, num_steps):
    """mlcore's ``SGD(lr, momentum)``: ``b = momentum * b + g``, ``theta = theta - lr * b``."""
    lr, momentum = hyper
    return _run(SGD, grad, theta0, num_steps, lr=lr, momentum=momentum)


def momentum_step(theta, grad, velocity, lr, momentum):
    """A right answer, as the exercise asks for it: PyTorch's momentum."""
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def _flipped_velocity(theta, grad, velocity, lr, momentum):
    # The other textbook convention, v = beta v - lr g, then stepped like PyTorch's: theta - v.
    velocity = momentum * velocity - lr * grad
    return theta - velocity, velocity


def _running_mean_velocity(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return theta - lr * velocity, velocity


def _old_velocity(theta, grad, velocity, lr, momentum):
    theta = theta - lr * velocity
    return theta, momentum * velocity + grad


def _lr_twice(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity + lr * grad
    return theta - lr * velocity, velocity


def _no_momentum(theta, grad, velocity, lr, momentum):
    return theta - lr * grad, velocity


MOMENTUM_MISCONCEPTIONS = [
    Misconception("the velocity's sign convention flipped", _flipped_velocity,
                  "Pick one convention and keep it: PyTorch's v = momentum * v + grad with theta = theta - lr * v, "
                  "or v = momentum * v - lr * grad with theta = theta + v. Mixing the two climbs the loss."),
    Misconception("the velocity as a running mean ((1 - momentum) * grad)", _running_mean_velocity,
                  "PyTorch's velocity is a running sum, v = momentum * v + grad, so a steady gradient g "
                  "builds up to g / (1 - momentum); the factor 1 - momentum is its 'dampening', off by default."),
    Misconception("the step taken with the old velocity", _old_velocity,
                  "Update the velocity first, with this step's gradient, then step: theta = theta - lr * v_new."),
    Misconception("lr applied twice (in the velocity and in the step)", _lr_twice,
                  "The velocity sums gradients, v = momentum * v + grad; lr scales only the step."),
    Misconception("the velocity never used (plain gradient descent)", _no_momentum,
                  "Step along the velocity, theta = theta - lr * v, not along the gradient alone."),
]

# (grad, theta0, (lr, momentum), num_steps): one step (where only the sign and the lr can be
# wrong), three steps on the bowl, then 100 steps on the bowl, on the quartic with a
# parameter of shape (2, 3), and on Rosenbrock's valley.
MOMENTUM_CASES = [
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9), 1),
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9), 3),
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9), 100),
    (QUARTIC, np.array([[1.5, -0.5, 0.2], [-1.2, 2.0, 0.0]]), (0.05, 0.5), 100),
    (ROSENBROCK, np.array([-1.5, 2.5]), (2e-4, 0.9), 100),
]


def momentum_cases(seed):
    """Hidden cases: random starts, rates and momenta, 100 steps each."""
    rng = np.random.default_rng(seed)
    return [(BOWL, rng.uniform(-3.0, 3.0, 2), (float(rng.uniform(0.02, 0.3)), float(rng.uniform(0.3, 0.95))), 100),
            (QUARTIC, rng.uniform(-1.5, 1.5, (3, 2)), (float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.0, 0.8))), 100)]


@exercise(answer=momentum_step, misconceptions=MOMENTUM_MISCONCEPTIONS, hidden_cases=momentum_cases)
def check_momentum_step(momentum_step, cases=MOMENTUM_CASES):
    """Check ``momentum_step(theta, grad, velocity, lr, momentum) -> (theta, velocity)`` over up to 100
    steps against mlcore's SGD with momentum (which equals torch.optim.SGD)."""
    _check_steps(momentum_step, reference_momentum, cases, MOMENTUM_MISCONCEPTIONS, name="momentum_step", states=1)


# ---- RMSprop ------------------------------------------------------------------------------

def reference_rmsprop(grad, theta0, hyper, num_steps):
    """mlcore's ``RMSprop(lr, alpha, eps)``: ``v = alpha v + (1 - alpha) g^2``, ``theta -= lr g / (sqrt(v) + eps)``."""
    lr, alpha, eps = hyper
    return _run(RMSprop, grad, theta0, num_steps, lr=lr, alpha=alpha, eps=eps)


def _rmsprop_with(average, step):
    def rmsprop_step(theta, grad, square_avg, lr, alpha, eps):
        square_avg = average(square_avg, grad, alpha)
        return theta - lr * step(grad, square_avg, eps), square_avg
    return rmsprop_step


def rmsprop_step(theta, grad, square_avg, lr, alpha, eps):
    """A right answer, as the exercise asks for it: PyTorch's RMSprop."""
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return theta - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def _squares(v, g, alpha):
    return alpha * v + (1 - alpha) * g * g


def _divided(g, v, eps):
    return g / (np.sqrt(v) + eps)


def _average_after_step(theta, grad, square_avg, lr, alpha, eps):
    theta = theta - lr * grad / (np.sqrt(square_avg) + eps)
    return theta, alpha * square_avg + (1 - alpha) * grad * grad


RMSPROP_MISCONCEPTIONS = [
    Misconception("eps inside the square root",
                  _rmsprop_with(_squares, lambda g, v, eps: g / np.sqrt(v + eps)),
                  "eps is added after the root: grad / (sqrt(square_avg) + eps), as PyTorch does."),
    Misconception("the squared-gradient average updated with the raw gradient",
                  _rmsprop_with(lambda v, g, alpha: alpha * v + (1 - alpha) * g, _divided),
                  "The average is of grad**2: square_avg = alpha * square_avg + (1 - alpha) * grad**2."),
    Misconception("alpha and 1 - alpha swapped",
                  _rmsprop_with(lambda v, g, alpha: (1 - alpha) * v + alpha * g * g, _divided),
                  "alpha (0.99) is the weight of the old average: alpha * square_avg + (1 - alpha) * grad**2."),
    Misconception("no square root (divided by the mean square itself)",
                  _rmsprop_with(_squares, lambda g, v, eps: g / (v + eps)),
                  "Divide by the root mean square, sqrt(square_avg) + eps, which has the units of the gradient."),
    Misconception("the average updated after the step", _average_after_step,
                  "Take this step's gradient into the average first, then divide by it (at the first step the "
                  "old average is 0, and grad / eps is enormous)."),
]

# (grad, theta0, (lr, alpha, eps), num_steps): one step with a large eps (where eps inside
# the root shows), three steps, 100 steps on the bowl, the quartic and Rosenbrock.
RMSPROP_CASES = [
    (BOWL, np.array([-2.5, 1.5]), (0.01, 0.99, 0.1), 1),
    (BOWL, np.array([-2.5, 1.5]), (0.01, 0.9, 1e-8), 3),
    (BOWL, np.array([-2.5, 1.5]), (0.05, 0.99, 1e-8), 100),
    (QUARTIC, np.array([[1.5, -0.5, 0.2], [-1.2, 2.0, 0.0]]), (0.02, 0.9, 1e-2), 100),
    (ROSENBROCK, np.array([-1.5, 2.5]), (0.01, 0.99, 1e-8), 100),
]


def rmsprop_cases(seed):
    """Hidden cases: random starts, rates, alphas and eps, 100 steps each.

    The rates are small enough that 100 steps do not reach the bowl's minimum: there RMSprop's
    steps of about lr bounce around it, and a rounding difference of one ulp (``lr * g / d``
    against ``g / d * lr``) grows until two right answers disagree.
    """
    rng = np.random.default_rng(seed)
    start = rng.uniform(1.5, 3.0, 2) * rng.choice([-1.0, 1.0], 2)
    return [(BOWL, start, (float(rng.uniform(0.003, 0.015)), float(rng.uniform(0.9, 0.999)),
                           float(10.0 ** rng.uniform(-8, -2))), 100),
            (QUARTIC, rng.uniform(-1.5, 1.5, (2, 2)), (float(rng.uniform(0.005, 0.05)), 0.99, 1e-3), 100)]


@exercise(answer=rmsprop_step, misconceptions=RMSPROP_MISCONCEPTIONS, hidden_cases=rmsprop_cases)
def check_rmsprop_step(rmsprop_step, cases=RMSPROP_CASES):
    """Check ``rmsprop_step(theta, grad, square_avg, lr, alpha, eps) -> (theta, square_avg)`` over up to
    100 steps against mlcore's RMSprop (which equals torch.optim.RMSprop)."""
    _check_steps(rmsprop_step, reference_rmsprop, cases, RMSPROP_MISCONCEPTIONS, name="rmsprop_step", states=1)


# ---- Adam ---------------------------------------------------------------------------------

def reference_adam(grad, theta0, hyper, num_steps):
    """mlcore's ``Adam(lr, betas=(beta1, beta2), eps)``, with bias correction."""
    lr, beta1, beta2, eps = hyper
    return _run(Adam, grad, theta0, num_steps, lr=lr, betas=(beta1, beta2), eps=eps)


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    """A right answer, as the exercise asks for it: PyTorch's Adam, with bias correction."""
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def _efficient_form(theta, grad, m, v, t, lr, beta1, beta2, eps):
    # Kingma and Ba's "more efficient" order: the correction folded into the rate, eps added to sqrt(v).
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    rate = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - rate * m / (np.sqrt(v) + eps), m, v, t


def _adam_with(*, correct=True, counter="right", root=lambda v_hat, eps: np.sqrt(v_hat) + eps,
               square=lambda g: g * g, keep_corrected=False):
    """An Adam step with one mistake: ``counter`` is "right" (t + 1 used and returned), "old" (t used
    before it is incremented), "twice" (t + 1 used, t + 2 returned) or "twice first" (t + 2 used and
    returned)."""
    def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
        if counter != "old":
            t = t + 1 + (counter == "twice first")
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * square(grad)
        m_hat = m / (1 - beta1**t) if correct else m
        v_hat = v / (1 - beta2**t) if correct else v
        theta = theta - lr * m_hat / root(v_hat, eps)
        if keep_corrected:
            m, v = m_hat, v_hat
        return theta, m, v, t + (counter in ("old", "twice"))
    return adam_step


ADAM_MISCONCEPTIONS = [
    Misconception("bias correction forgotten", _adam_with(correct=False),
                  "m and v start at 0, so early on they are too small by the factors 1 - beta1**t and "
                  "1 - beta2**t: divide by them, m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)."),
    Misconception("the step counter starting at 0 (division by zero)",
                  _adam_with(counter="old"),
                  "t counts the steps taken so far, 0 before the first: increment it first (t = t + 1), "
                  "then correct with 1 - beta**t, which is 0 at t = 0."),
    Misconception("the step counter incremented twice (t + 1 used, t + 2 returned)", _adam_with(counter="twice"),
                  "Add 1 to t once per step, and return that t."),
    Misconception("the step counter incremented twice (t + 2 used)", _adam_with(counter="twice first"),
                  "Add 1 to t once per step, before the correction, and return that t."),
    Misconception("eps inside the square root",
                  _adam_with(root=lambda v_hat, eps: np.sqrt(v_hat + eps)),
                  "eps is added after the root: m_hat / (sqrt(v_hat) + eps), as PyTorch does."),
    Misconception("the squared-gradient average updated with the raw gradient",
                  _adam_with(square=lambda g: g),
                  "v is the running mean of grad**2: v = beta2 * v + (1 - beta2) * grad**2."),
    Misconception("the corrected m_hat and v_hat stored as the new m and v",
                  _adam_with(keep_corrected=True),
                  "The correction is for the step only: return m and v, not m_hat and v_hat, or the next "
                  "step corrects them again."),
    Misconception("the paper's efficient form: eps added to sqrt(v) before the correction", _efficient_form,
                  "Kingma and Ba's faster order, lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps), "
                  "adds eps to the uncorrected sqrt(v): early on eps then weighs 1 / sqrt(1 - beta2**t) times "
                  "more. PyTorch (and the exercise) correct first: m_hat / (sqrt(v_hat) + eps)."),
]

# (grad, theta0, (lr, beta1, beta2, eps), num_steps): one step (its size is lr, to within eps),
# three steps with a large eps, 100 steps on the bowl, the quartic and Rosenbrock.
ADAM_CASES = [
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9, 0.999, 1e-8), 1),
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9, 0.999, 0.1), 3),
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9, 0.999, 1e-8), 100),
    (QUARTIC, np.array([[1.5, -0.5, 0.2], [-1.2, 2.0, 0.0]]), (0.05, 0.8, 0.99, 1e-8), 100),
    (ROSENBROCK, np.array([-1.5, 2.5]), (0.05, 0.9, 0.999, 1e-8), 100),
]


def adam_cases(seed):
    """Hidden cases: random starts, rates, betas and eps, 100 steps each."""
    rng = np.random.default_rng(seed)
    return [(BOWL, rng.uniform(-3.0, 3.0, 2), (float(rng.uniform(0.01, 0.06)), float(rng.uniform(0.5, 0.95)),
                                               float(rng.uniform(0.9, 0.9999)), float(10.0 ** rng.uniform(-8, -2))), 100),
            (QUARTIC, rng.uniform(-1.5, 1.5, (2, 3)), (float(rng.uniform(0.01, 0.1)), 0.9, 0.999, 1e-8), 100)]


@exercise(answer=adam_step, misconceptions=ADAM_MISCONCEPTIONS, hidden_cases=adam_cases)
def check_adam_step(adam_step, cases=ADAM_CASES):
    """Check ``adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v, t)`` over up to
    100 steps against mlcore's Adam (which equals torch.optim.Adam)."""
    _check_steps(adam_step, reference_adam, cases, ADAM_MISCONCEPTIONS, name="adam_step", states=2, counter=True)


# ---- Adam's first step without the correction ------------------------------------------------

def reference_first_step_without_correction(lr, beta1, beta2):
    """``lr (1 - beta1) / sqrt(1 - beta2)``: the first step of Adam without bias correction, for a
    gradient much larger than eps (m_1 = (1 - beta1) g, v_1 = (1 - beta2) g**2)."""
    return lr * (1 - beta1) / np.sqrt(1 - beta2)


FIRST_STEP_MISCONCEPTIONS = [
    Misconception("the corrected step (lr) given", lambda lr, beta1, beta2: lr,
                  "With the correction the first step is lr; without it, m_1 = (1 - beta1) g and "
                  "sqrt(v_1) = sqrt(1 - beta2) |g| do not cancel."),
    Misconception("the square root of 1 - beta2 forgotten", lambda lr, beta1, beta2: lr * (1 - beta1) / (1 - beta2),
                  "The step divides by sqrt(v_1) = sqrt(1 - beta2) |g|, a square root."),
    Misconception("beta instead of 1 - beta", lambda lr, beta1, beta2: lr * beta1 / np.sqrt(beta2),
                  "The new gradient enters a running mean with the weight 1 - beta: m_1 = (1 - beta1) g."),
    Misconception("both factors under the root", lambda lr, beta1, beta2: lr * np.sqrt((1 - beta1) / (1 - beta2)),
                  "Only v is a mean of squares: m_1 = (1 - beta1) g has no root."),
    Misconception("the ratio to lr (3.16 at the defaults) instead of the step's length",
                  lambda lr, beta1, beta2: (1 - beta1) / np.sqrt(1 - beta2),
                  "The function returns the length of the step, lr times that ratio: "
                  "lr * (1 - beta1) / sqrt(1 - beta2)."),
]

# (lr, beta1, beta2): PyTorch's defaults (3.16 lr), a larger beta2 (10 lr), no first moment.
FIRST_STEP_CASES = [(1e-3, 0.9, 0.999), (0.1, 0.9, 0.9999), (0.01, 0.0, 0.99), (1.0, 0.5, 0.75)]


def first_step_cases(seed):
    """Hidden cases: random rates and betas."""
    rng = np.random.default_rng(seed)
    return [(float(10.0 ** rng.uniform(-4, 0)), float(rng.uniform(0.0, 0.99)), float(rng.uniform(0.9, 0.9999)))
            for _ in range(4)]


@exercise(answer=reference_first_step_without_correction, misconceptions=FIRST_STEP_MISCONCEPTIONS,
          hidden_cases=first_step_cases)
def check_first_step_without_correction(first_step_without_correction, cases=FIRST_STEP_CASES):
    """Check ``first_step_without_correction(lr, beta1, beta2)``: ``lr (1 - beta1) / sqrt(1 - beta2)``."""
    check_function(first_step_without_correction, reference_first_step_without_correction, cases,
                   misconceptions=FIRST_STEP_MISCONCEPTIONS, rtol=1e-9)


# ---- weight decay: L2 in the gradient (Adam) or decoupled (AdamW) ----------------------------

def reference_adam_decay(grad, theta0, hyper, num_steps):
    """mlcore's ``AdamW(..., weight_decay)`` if ``decoupled``, else ``Adam(..., weight_decay)`` (L2)."""
    lr, beta1, beta2, eps, weight_decay, decoupled = hyper
    optimizer = AdamW if decoupled else Adam
    return _run(optimizer, grad, theta0, num_steps, lr=lr, betas=(beta1, beta2), eps=eps,
                weight_decay=weight_decay)


def adam_decay_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled):
    """A right answer, as the exercise asks for it: AdamW's decay if ``decoupled``, else Adam's L2."""
    if decoupled:
        theta = theta * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * theta
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


def _decay_with(mode):
    """Adam with weight decay done one way whatever ``decoupled`` says: "l2", "decoupled",
    "decoupled_no_lr" (theta * (1 - weight_decay)) or "decoupled_after" (after Adam's step); or
    "backwards": decoupled decay where ``decoupled`` is false, L2 where it is true."""
    def adam_decay_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled):
        # "l2" and "decoupled" ignore the flag; the next two get decoupled decay wrong, L2 right.
        way = (("l2" if decoupled else "decoupled") if mode == "backwards" else
               mode if decoupled or mode in ("l2", "decoupled") else "l2")
        if way == "l2":
            grad = grad + weight_decay * theta
        elif way == "decoupled":
            theta = theta * (1 - lr * weight_decay)
        elif way == "decoupled_no_lr":
            theta = theta * (1 - weight_decay)
        t = t + 1
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        if way == "decoupled_after":
            theta = theta * (1 - lr * weight_decay)
        return theta, m, v, t
    return adam_decay_step


DECAY_MISCONCEPTIONS = [
    Misconception("L2 added to the gradient where decoupled decay was asked",
                  _decay_with("l2"),
                  "decoupled=True is AdamW: shrink theta itself, theta = theta * (1 - lr * weight_decay), "
                  "and give Adam the plain gradient."),
    Misconception("decoupled decay where an L2 penalty was asked",
                  _decay_with("decoupled"),
                  "decoupled=False is Adam's weight_decay: an L2 penalty, grad = grad + weight_decay * theta, "
                  "which then goes through m and v like the rest of the gradient."),
    Misconception("the decoupled decay not scaled by lr", _decay_with("decoupled_no_lr"),
                  "AdamW shrinks theta by lr * weight_decay per step: theta = theta * (1 - lr * weight_decay)."),
    Misconception("the decoupled decay applied after Adam's step",
                  _decay_with("decoupled_after"),
                  "As PyTorch's AdamW does, shrink theta first, then take Adam's step."),
    Misconception("the decoupled flag read backwards: L2 where decoupled decay was asked, and the reverse",
                  _decay_with("backwards"),
                  "decoupled=True asks for AdamW's decay, theta = theta * (1 - lr * weight_decay); "
                  "decoupled=False for the L2 penalty, grad = grad + weight_decay * theta: "
                  "if decoupled: ... else: ..."),
]

# (grad, theta0, (lr, beta1, beta2, eps, weight_decay, decoupled), num_steps): one step each
# way, then 100 steps each way with a strong decay on the bowl and the quartic.
DECAY_CASES = [
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9, 0.999, 1e-8, 0.5, True), 1),
    (BOWL, np.array([-2.5, 1.5]), (0.1, 0.9, 0.999, 1e-8, 0.5, False), 1),
    (BOWL, np.array([-2.5, 1.5]), (0.05, 0.9, 0.999, 1e-8, 1.0, True), 100),
    (BOWL, np.array([-2.5, 1.5]), (0.05, 0.9, 0.999, 1e-8, 1.0, False), 100),
    (QUARTIC, np.array([[1.5, -0.5, 0.2], [-1.2, 2.0, 0.0]]), (0.05, 0.9, 0.99, 1e-8, 0.3, True), 100),
    (QUARTIC, np.array([[1.5, -0.5, 0.2], [-1.2, 2.0, 0.0]]), (0.05, 0.9, 0.99, 1e-8, 0.3, False), 100),
]


def decay_cases(seed):
    """Hidden cases: random starts, rates and decays, both ways, 100 steps each."""
    rng = np.random.default_rng(seed)
    return [(BOWL, rng.uniform(-3.0, 3.0, 2), (float(rng.uniform(0.01, 0.1)), 0.9, 0.999, 1e-8,
                                               float(rng.uniform(0.1, 2.0)), decoupled), 100)
            for decoupled in (True, False)]


@exercise(answer=adam_decay_step, misconceptions=DECAY_MISCONCEPTIONS, hidden_cases=decay_cases)
def check_adam_decay_step(adam_decay_step, cases=DECAY_CASES):
    """Check ``adam_decay_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled)`` over
    up to 100 steps against mlcore's AdamW (decoupled) and Adam with weight_decay (L2)."""
    _check_steps(adam_decay_step, reference_adam_decay, cases, DECAY_MISCONCEPTIONS, name="adam_decay_step",
                 states=2, counter=True)
