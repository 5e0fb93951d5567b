"""The feedback of chapter 6's exercise checks (optimizer steps, an Optimizer subclass, momentum, choices).

- Each misconception issue 14 (and the review of chapter 6) lists is written
  here the way a learner would write it, and the check must name it. That
  every registered variant is recognised as itself, and that the registered
  right answers pass on the visible and the hidden cases, is
  tests/test_feedback.py's, for every chapter.
- Right answers in other spellings than the registry's pass with one line on
  the visible and the hidden cases.
- The choice feedback quotes the numbers chapter 6 prints, computed with the
  same functions.
- The references agree with PyTorch over 100 steps: torch.optim's SGD,
  RMSprop, Adam, AdamW and Adagrad, and torch's eigenvalues for the momentum theory.
"""

import numpy as np
import pytest
import torch

from mlcore.feedback import momentum_tuning, optimizer_choice, optimizer_class, optimizer_steps
from mlcore.feedback.chapter06 import (check_adagrad_class, check_adam_decay_step, check_adam_step,
                                       check_first_step_without_correction, check_momentum_step,
                                       check_optimizer_and_loss, check_rmsprop_step)
from mlcore.feedback.checks import CheckFailed
from mlcore.feedback.optimizer_steps import trajectory
from mlcore.momentum_theory import optimal_gd, optimal_momentum as theory_optimum
from mlcore.nn.parameter import Parameter
from mlcore.optim import Adam, Optimizer
from mlcore.optimizer_experiments import outlier_slopes, saturated_gradients, steps_to_tolerance
from mlcore.surfaces import SURFACES, bowl_hessian
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")


def failure(check, answer):
    """The message of the CheckFailed that ``check(answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(answer)
    return str(raised.value)


def named(check, answer):
    """The misconception the failure message names."""
    message = failure(check, answer)
    assert "Likely misconception: " in message, message
    return message.split("Likely misconception: ", 1)[1].split(". ", 1)[0]


# ---- right answers in other spellings than the registry's ---------------------------------------

def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def momentum_step_other_convention(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return theta + velocity, velocity


def adam_step_pytorch_order(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = m * beta1 + grad * (1 - beta1)
    v = v * beta2 + grad * grad * (1 - beta2)
    step_size = lr / (1 - beta1**t)
    return theta - step_size * m / (np.sqrt(v) / np.sqrt(1 - beta2**t) + eps), m, v, t


class Adagrad(Optimizer):
    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params, dict(lr=lr, eps=eps))

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p].setdefault("sum", np.zeros_like(p.data))
                s += p.grad * p.grad
                p.data -= group["lr"] * p.grad / (np.sqrt(s) + group["eps"])


def choose(task):
    return {"least_squares": ("Momentum", "MSE"), "scaled_classifier": ("rmsprop", "cross_entropy"),
            "robust_regression": (" adamw ", "huber")}[task]


OTHER_SPELLINGS = [
    (check_momentum_step, momentum_step_other_convention, optimizer_steps.momentum_cases),
    (check_adam_step, adam_step_pytorch_order, optimizer_steps.adam_cases),
    (check_adagrad_class, Adagrad, optimizer_class.adagrad_cases),
]


@pytest.mark.parametrize("check, answer, hidden", OTHER_SPELLINGS, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answers_in_other_spellings_pass_in_one_line_on_visible_and_hidden_cases(check, answer, hidden, capsys):
    check(answer)
    for seed in (601, 611):
        check(answer, cases=hidden(seed))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("✓") for line in lines)


def test_the_choice_passes_in_one_line_whatever_the_case_and_spaces(capsys):
    check_optimizer_and_loss(choose)
    assert capsys.readouterr().out.startswith("✓ choices: all 6 are right")


# ---- the misconceptions of issue 14, written as learners write them ------------------------------

def adam_without_correction(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v, t + 1


def adam_counter_from_zero_numpy(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v, t + 1


def adam_counter_from_zero_python(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step_size = lr / (1 - beta1**t)            # Python floats: ZeroDivisionError at t = 0
    return theta - step_size * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v, t + 1


def adam_counter_twice(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t += 1
    theta, m, v, t = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return theta, m, v, t


def adam_eps_inside(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v, t


def adam_raw_second_moment(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    with np.errstate(invalid="ignore"):
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v, t


def rmsprop_eps_inside(theta, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(square_avg + eps), square_avg


def rmsprop_raw_gradient(theta, grad, square_avg, lr, alpha, eps):
    square_avg = alpha * square_avg + (1 - alpha) * grad
    return theta - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def momentum_mixed_conventions(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    theta = theta - velocity
    return theta, velocity


def decay_always_l2(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled):
    return adam_step(theta, grad + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


def decay_always_decoupled(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled):
    return adam_step(theta * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def decay_flag_backwards(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay, decoupled):
    if not decoupled:
        theta = theta - lr * weight_decay * theta
    else:
        grad = grad + weight_decay * theta
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


def adam_efficient_form(theta, grad, m, v, t, lr, beta1, beta2, eps):
    # Kingma and Ba, section 2: alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t), theta -= alpha_t m / (sqrt(v) + eps).
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    alpha_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - alpha_t * m / (np.sqrt(v) + eps), m, v, t


class SharedStateAdagrad(Optimizer):
    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params, dict(lr=lr, eps=eps))
        self.sum = 0.0

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.sum = self.sum + p.grad**2
                    p.data -= group["lr"] * p.grad / (np.sqrt(self.sum) + group["eps"])


class EpsInsideAdagrad(Adagrad):
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    s = self.state[p].setdefault("sum", np.zeros_like(p.data))
                    s += p.grad**2
                    p.data -= group["lr"] * p.grad / np.sqrt(s + group["eps"])


ISSUE_MISCONCEPTIONS = [
    (check_adam_step, adam_without_correction, "bias correction forgotten"),
    (check_adam_step, adam_counter_from_zero_numpy, "the step counter starting at 0 (division by zero)"),
    (check_adam_step, adam_counter_from_zero_python, "the step counter starting at 0 (division by zero)"),
    (check_adam_step, adam_counter_twice, "the step counter incremented twice (t + 2 used)"),
    (check_adam_step, adam_eps_inside, "eps inside the square root"),
    (check_rmsprop_step, rmsprop_eps_inside, "eps inside the square root"),
    (check_adagrad_class, EpsInsideAdagrad, "eps inside the square root"),
    (check_adam_decay_step, decay_always_l2, "L2 added to the gradient where decoupled decay was asked"),
    (check_adam_decay_step, decay_always_decoupled, "decoupled decay where an L2 penalty was asked"),
    (check_momentum_step, momentum_mixed_conventions, "the velocity's sign convention flipped"),
    (check_rmsprop_step, rmsprop_raw_gradient, "the squared-gradient average updated with the raw gradient"),
    (check_adam_step, adam_raw_second_moment, "the squared-gradient average updated with the raw gradient"),
    (check_adagrad_class, SharedStateAdagrad, "state shared between parameters"),
    (check_adam_decay_step, decay_flag_backwards,
     "the decoupled flag read backwards: L2 where decoupled decay was asked, and the reverse"),
    (check_first_step_without_correction, lambda lr, beta1, beta2: (1 - beta1) / (1 - beta2) ** 0.5,
     "the ratio to lr (3.16 at the defaults) instead of the step's length"),
    (check_adam_step, adam_efficient_form, "the paper's efficient form: eps added to sqrt(v) before the correction"),
]


@pytest.mark.parametrize("check, answer, name", ISSUE_MISCONCEPTIONS, ids=lambda x: getattr(x, "__name__", x))
def test_each_misconception_of_the_issue_is_named(check, answer, name):
    assert named(check, answer) == name


def test_a_failure_shows_the_smallest_case_one_step_long():
    message = failure(check_adam_step, adam_without_correction)
    assert "Smallest failing case: the iterates of adam_step(grad=bowl_grad" in message
    assert "num_steps=1)" in message


def test_a_step_that_returns_the_wrong_shape_is_told_what_to_return():
    message = failure(check_momentum_step, lambda theta, grad, velocity, lr, momentum: theta - lr * grad)
    assert "must return a tuple of 2 values, the new theta and the new state" in message
    assert "it returned a ndarray" in message


def test_the_choice_feedback_explains_with_the_experiments_numbers():
    message = failure(check_optimizer_and_loss, optimizer_choice.Chooser(
        {"least_squares": ("sgd", "mse"), "scaled_classifier": ("adam", "mse"), "robust_regression": ("adamw", "mse")}))
    assert f"slope {outlier_slopes()['mse']:.2f} instead of 2" in message
    assert f"{saturated_gradients()['mse']:.6f}" in message
    assert "plain gradient descent needs" in message and "steps to a loss of 1e-6" in message
    assert message.startswith("✗ 3 of the 6 choices are not the best yet.")
    one = failure(check_optimizer_and_loss, optimizer_choice.Chooser(
        {**optimizer_choice.REFERENCE_CHOICES, "least_squares": ("sgd", "mse")}))
    assert one.startswith("✗ 1 of the 6 choices is not the best yet.")
    assert "must return a pair" in failure(check_optimizer_and_loss, lambda task: "adam")
    assert "is not one of the options" in failure(check_optimizer_and_loss, lambda task: ("lbfgs", "mse"))


def test_the_choice_feedback_quotes_the_numbers_chapter_6_prints():
    # The chapter's cells ch6-struggle-code and ch6-steps-code: 38 steps at 2 / (L + mu), 17 for momentum at
    # (alpha*, beta*), 6731 for Adam's defaults.
    bowl = SURFACES["bowl"]
    L, mu = np.linalg.eigvalsh(bowl_hessian())[::-1]
    lr_gd, _ = optimal_gd(L, mu)
    alpha, beta, _ = theory_optimum(3.0, 0.3)
    gd, momentum = steps_to_tolerance(bowl, "sgd", lr_gd), steps_to_tolerance(bowl, "momentum", alpha, beta=beta)
    adam = steps_to_tolerance(bowl, "adam", 1e-3, max_steps=20000)
    assert (gd, momentum, adam) == (38, 17, 6731)
    texts = optimizer_choice.explanations()["least_squares"]["optimizer"]
    assert f"needs {gd} steps to a loss of 1e-6 even at its best rate 2 / (L + mu) = {lr_gd:.4f}" in texts["sgd"]
    assert f"{momentum} steps to a loss of 1e-6, against {gd}" in texts["momentum"]
    assert f"({alpha:.4f}, {beta:.4f})" in texts["momentum"]
    assert f"needs {adam} steps" in texts["adam"]
    assert all(f"needs {momentum} steps" in texts[name] for name in ("sgd", "adagrad", "rmsprop", "adam", "adamw"))


# ---- the references against PyTorch ---------------------------------------------------------------

def torch_trajectory(optimizer, grad, theta0, num_steps, **options):
    theta = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    opt = optimizer([theta], **options)
    iterates = [theta.detach().numpy().copy()]
    for _ in range(num_steps):
        theta.grad = torch.tensor(grad(theta.detach().numpy().copy()))
        opt.step()
        iterates.append(theta.detach().numpy().copy())
    return np.array(iterates)


def all_cases(visible, hidden):
    return list(visible) + hidden(601) + hidden(602)


def test_momentum_reference_is_torch_sgd():
    for grad, theta0, (lr, momentum), num_steps in all_cases(optimizer_steps.MOMENTUM_CASES,
                                                              optimizer_steps.momentum_cases):
        np.testing.assert_allclose(optimizer_steps.reference_momentum(grad, theta0, (lr, momentum), num_steps),
                                   torch_trajectory(torch.optim.SGD, grad, theta0, num_steps, lr=lr, momentum=momentum),
                                   rtol=RTOL64, atol=1e-12)


def test_rmsprop_reference_is_torch_rmsprop():
    for grad, theta0, (lr, alpha, eps), num_steps in all_cases(optimizer_steps.RMSPROP_CASES,
                                                                optimizer_steps.rmsprop_cases):
        np.testing.assert_allclose(optimizer_steps.reference_rmsprop(grad, theta0, (lr, alpha, eps), num_steps),
                                   torch_trajectory(torch.optim.RMSprop, grad, theta0, num_steps, lr=lr, alpha=alpha,
                                                    eps=eps), rtol=RTOL64, atol=1e-12)


def test_adam_reference_is_torch_adam():
    for grad, theta0, (lr, b1, b2, eps), num_steps in all_cases(optimizer_steps.ADAM_CASES, optimizer_steps.adam_cases):
        np.testing.assert_allclose(optimizer_steps.reference_adam(grad, theta0, (lr, b1, b2, eps), num_steps),
                                   torch_trajectory(torch.optim.Adam, grad, theta0, num_steps, lr=lr, betas=(b1, b2),
                                                    eps=eps), rtol=RTOL64, atol=1e-12)


def test_decay_reference_is_torch_adamw_or_adam_with_weight_decay():
    for grad, theta0, hyper, num_steps in all_cases(optimizer_steps.DECAY_CASES, optimizer_steps.decay_cases):
        lr, b1, b2, eps, weight_decay, decoupled = hyper
        optimizer = torch.optim.AdamW if decoupled else torch.optim.Adam
        np.testing.assert_allclose(optimizer_steps.reference_adam_decay(grad, theta0, hyper, num_steps),
                                   torch_trajectory(optimizer, grad, theta0, num_steps, lr=lr, betas=(b1, b2), eps=eps,
                                                    weight_decay=weight_decay), rtol=RTOL64, atol=1e-12)


def test_adagrad_training_reference_is_torch_adagrad():
    bowl, valley = SURFACES["bowl"], SURFACES["rosenbrock"]
    for start_bowl, start_valley, lr, eps, num_steps in all_cases(optimizer_class.ADAGRAD_CASES,
                                                                   optimizer_class.adagrad_cases):
        params = [torch.tensor(np.array(s, dtype=np.float64), requires_grad=True)
                  for s in (start_bowl, start_valley, [0.5, -0.5])]
        adagrad = torch.optim.Adagrad(params, lr=lr, eps=eps)
        iterates = [np.concatenate([p.detach().numpy() for p in params])]
        for _ in range(num_steps):
            adagrad.zero_grad()
            (bowl.value(params[0][0], params[0][1]) + 0.01 * valley.value(params[1][0], params[1][1])).backward()
            adagrad.step()
            iterates.append(np.concatenate([p.detach().numpy() for p in params]))
        np.testing.assert_allclose(optimizer_class.reference_adagrad_training(start_bowl, start_valley, lr, eps,
                                                                              num_steps),
                                   iterates, rtol=RTOL64, atol=1e-12)
        assert np.array_equal(iterates[-1][4:], [0.5, -0.5]), "the parameter no loss reaches stays put"


def test_the_uncorrected_first_step_reference_is_adams_first_m_over_root_v():
    for lr, beta1, beta2 in optimizer_steps.FIRST_STEP_CASES + optimizer_steps.first_step_cases(604):
        w = Parameter(np.zeros(1))
        adam = Adam([w], lr=lr, betas=(beta1, beta2), eps=1e-8)
        w.grad = np.array([3.0])
        adam.step()
        m, v = adam.state[w]["exp_avg"][0], adam.state[w]["exp_avg_sq"][0]
        assert optimizer_steps.reference_first_step_without_correction(lr, beta1, beta2) == pytest.approx(
            lr * m / np.sqrt(v), rel=1e-12)


def test_the_momentum_references_agree_with_torchs_eigenvalues():
    for L, mu in momentum_tuning.OPTIMUM_CASES + momentum_tuning.optimum_cases(607):
        alpha, beta = momentum_tuning.reference_optimal_momentum(L, mu)
        for lam in (L, mu):
            R = torch.tensor([[beta, lam], [-alpha * beta, 1 - alpha * lam]])
            assert torch.linalg.eigvals(R).abs().max().item() <= np.sqrt(beta) + 1e-6
    for alpha, beta, lam in momentum_tuning.CONVERGES_CASES + momentum_tuning.converges_cases(608):
        R = torch.tensor([[beta, lam], [-alpha * beta, 1 - alpha * lam]])
        assert momentum_tuning.reference_momentum_converges(alpha, beta, lam) == bool(
            torch.linalg.eigvals(R).abs().max().item() < 1)


def test_the_drivers_feed_back_the_state_and_record_every_iterate():
    calls = []

    def recording(theta, grad, velocity, lr, momentum):
        calls.append(velocity.copy())
        return theta - 1.0, velocity + 1.0

    iterates = trajectory(recording, optimizer_steps.BOWL, np.zeros(2), (0.1, 0.9), 3, states=1)
    np.testing.assert_array_equal(iterates[:, 0], [0.0, -1.0, -2.0, -3.0])
    np.testing.assert_array_equal(calls, [[0, 0], [1, 1], [2, 2]])
