"""mlcore.optim.lr_scheduler against torch.optim.lr_scheduler: the same rates, step by step."""

import math

import numpy as np
import pytest
import torch

import mlcore
from mlcore import optim
from mlcore.optim import lr_scheduler

STEPS = 25
GROUP_LRS = (0.1, 0.05)


def optimizers(name="SGD"):
    """The same optimizer in both libraries, with two parameter groups of different lr."""
    ours = [mlcore.tensor(np.zeros(2), requires_grad=True) for _ in GROUP_LRS]
    theirs = [torch.zeros(2, requires_grad=True) for _ in GROUP_LRS]
    return tuple(
        getattr(library, name)([{"params": [p], "lr": lr} for p, lr in zip(params, GROUP_LRS)])
        for library, params in ((optim, ours), (torch.optim, theirs))
    )


def lr_history(optimizer, scheduler, steps=STEPS, before_step=lambda t, opt: None):
    """Learning rates after construction and after each of ``steps`` epochs."""
    history = [(scheduler.last_epoch, scheduler.get_last_lr(),
                [g["lr"] for g in optimizer.param_groups])]
    for t in range(steps):
        before_step(t, optimizer)
        optimizer.step()
        scheduler.step()
        history.append((scheduler.last_epoch, list(scheduler.get_last_lr()),
                        [g["lr"] for g in optimizer.param_groups]))
    return history


def assert_same_history(ours, theirs):
    assert len(ours) == len(theirs)
    for t, ((our_epoch, our_last, our_lrs), (epoch, last, lrs)) in enumerate(zip(ours, theirs)):
        assert our_epoch == epoch
        np.testing.assert_allclose(our_last, last, rtol=1e-12, atol=0, err_msg=f"epoch {t}")
        assert our_lrs == our_last


def half(t):
    return 0.5 ** (t // 4)


SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.9}),
    ("StepLR", {"step_size": 7}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("ExponentialLR", {"gamma": 0.5}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": 20, "eta_min": 1e-3}),
    ("CosineAnnealingLR", {"T_max": 3, "eta_min": 0.02}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("LambdaLR", {"lr_lambda": lambda t: 0.95**t}),
    ("LambdaLR", {"lr_lambda": [lambda t: 1 / (1 + t), half]}),
    ("LambdaLR", {"lr_lambda": (lambda t: t // 3, lambda t: math.cos(t))}),
]
IDS = [f"{name}-{kwargs}" for name, kwargs in SCHEDULES]


def both(name, kwargs, optimizer_name="SGD", last_epoch=-1, prepare=lambda opt: None):
    our_opt, torch_opt = optimizers(optimizer_name)
    prepare(our_opt)
    prepare(torch_opt)
    ours = getattr(lr_scheduler, name)(our_opt, **kwargs, last_epoch=last_epoch)
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **kwargs, last_epoch=last_epoch)
    return (our_opt, ours), (torch_opt, theirs)


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_learning_rates_equal_torch_over_25_epochs(name, kwargs, optimizer_name):
    (our_opt, ours), (torch_opt, theirs) = both(name, kwargs, optimizer_name)
    assert_same_history(lr_history(our_opt, ours), lr_history(torch_opt, theirs))
    assert [g["initial_lr"] for g in our_opt.param_groups] == list(GROUP_LRS)
    assert ours.base_lrs == theirs.base_lrs


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_an_lr_changed_by_hand_mid_schedule_carries_on_as_in_torch(name, kwargs):
    def halve_at_epoch_8(t, opt):
        if t == 8:
            for group in opt.param_groups:
                group["lr"] *= 0.5

    (our_opt, ours), (torch_opt, theirs) = both(name, kwargs)
    assert_same_history(lr_history(our_opt, ours, before_step=halve_at_epoch_8),
                        lr_history(torch_opt, theirs, before_step=halve_at_epoch_8))


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_resuming_at_last_epoch_5_equals_torch(name, kwargs):
    def saved_initial_lr(opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2

    (our_opt, ours), (torch_opt, theirs) = both(name, kwargs, last_epoch=5,
                                                prepare=saved_initial_lr)
    assert_same_history(lr_history(our_opt, ours), lr_history(torch_opt, theirs))


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.01), (20, 1e-3)])
def test_cosine_recursion_follows_the_closed_form_and_ends_at_eta_min(T_max, eta_min):
    our_opt, _ = optimizers()
    scheduler = lr_scheduler.CosineAnnealingLR(our_opt, T_max=T_max, eta_min=eta_min)
    for epoch, (_, lrs, _) in enumerate(lr_history(our_opt, scheduler, steps=T_max)):
        closed_form = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2
                       for base in GROUP_LRS]
        np.testing.assert_allclose(lrs, closed_form, rtol=1e-12)
    assert scheduler.get_last_lr() == [eta_min, eta_min]


def test_step_lr_divides_by_ten_every_step_size_epochs():
    our_opt, _ = optimizers()
    scheduler = lr_scheduler.StepLR(our_opt, step_size=2)
    history = [lrs[0] for _, lrs, _ in lr_history(our_opt, scheduler, steps=6)]
    np.testing.assert_allclose(history, [0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.0001], rtol=1e-15)


def test_a_scheduler_needs_an_mlcore_optimizer():
    _, torch_opt = optimizers()
    with pytest.raises(TypeError, match=r"StepLR needs an mlcore optimizer such as "
                                        r"mlcore\.optim\.SGD\(params, lr=0\.1\), but got SGD"):
        lr_scheduler.StepLR(torch_opt, step_size=3)


@pytest.mark.parametrize("step_size", [0, -2, 2.5])
def test_step_size_that_is_not_a_positive_whole_number_says_so(step_size):
    our_opt, _ = optimizers()
    with pytest.raises(ValueError, match=rf"step_size must be a positive whole number of epochs, "
                                         rf"but got {step_size}\..*step_size=30"):
        lr_scheduler.StepLR(our_opt, step_size=step_size)


@pytest.mark.parametrize("T_max", [0, -1, 10.0])
def test_t_max_that_is_not_a_positive_whole_number_says_so(T_max):
    our_opt, _ = optimizers()
    with pytest.raises(ValueError, match=rf"T_max must be a positive whole number of epochs, "
                                         rf"but got {T_max}\..*T_max=num_epochs"):
        lr_scheduler.CosineAnnealingLR(our_opt, T_max=T_max)


def test_numpy_integers_count_as_whole_numbers_of_epochs_like_torch():
    (our_opt, torch_opt), (our_cos, torch_cos) = optimizers(), optimizers()
    assert_same_history(
        lr_history(our_opt, lr_scheduler.StepLR(our_opt, step_size=np.int64(3), gamma=0.5)),
        lr_history(torch_opt, torch.optim.lr_scheduler.StepLR(torch_opt, step_size=3, gamma=0.5)))
    assert_same_history(
        lr_history(our_cos, lr_scheduler.CosineAnnealingLR(our_cos, T_max=np.int32(7))),
        lr_history(torch_cos, torch.optim.lr_scheduler.CosineAnnealingLR(torch_cos, T_max=7)))


@pytest.mark.parametrize("step_size", [True, "3"])
def test_step_size_given_as_a_bool_or_text_says_so(step_size):
    our_opt, _ = optimizers()
    with pytest.raises(ValueError, match=rf"step_size must be a positive whole number of epochs, "
                                         rf"but got {step_size!r}\..*step_size=30"):
        lr_scheduler.StepLR(our_opt, step_size=step_size)


@pytest.mark.parametrize("make", [
    lambda opt, gamma: lr_scheduler.StepLR(opt, step_size=3, gamma=gamma),
    lambda opt, gamma: lr_scheduler.ExponentialLR(opt, gamma=gamma),
], ids=["StepLR", "ExponentialLR"])
def test_gamma_that_is_not_a_number_is_refused_before_the_first_step(make):
    our_opt, _ = optimizers()
    with pytest.raises(TypeError, match=r"gamma must be a number, but got '0\.5'\. \w+LR "
                                        r"multiplies the lr by gamma every .*: use a number >= 0 "
                                        r"\(below 1 the lr falls\), e\.g\. gamma=0\.\d+\."):
        make(our_opt, "0.5")
    with pytest.raises(ValueError, match=r"Invalid gamma: -0\.5\. \w+LR multiplies the lr by "
                                         r"gamma every .*: use a number >= 0"):
        make(our_opt, -0.5)
    assert [group["lr"] for group in our_opt.param_groups] == list(GROUP_LRS)


@pytest.mark.parametrize("lr_lambda", [0.5, [half, 0.5]], ids=["number", "list_with_a_number"])
def test_lambda_lr_with_something_that_is_not_a_function_says_so(lr_lambda):
    our_opt, _ = optimizers()
    with pytest.raises(TypeError, match=r"lr_lambda must be a function of the epoch number, but "
                                        r"got 0\.5 \(type float\)\. LambdaLR sets lr = initial_lr "
                                        r"\* lr_lambda\(epoch\), e\.g\. lr_lambda=lambda epoch: "
                                        r"0\.95 \*\* epoch\."):
        lr_scheduler.LambdaLR(our_opt, lr_lambda=lr_lambda)


def test_lambda_lr_with_one_function_too_few_says_so_like_torch():
    our_opt, torch_opt = optimizers()
    with pytest.raises(ValueError, match=r"Expected 2 lr_lambdas, but got 1\. Give one function "
                                         r"per parameter group"):
        lr_scheduler.LambdaLR(our_opt, lr_lambda=[half])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        torch.optim.lr_scheduler.LambdaLR(torch_opt, lr_lambda=[half])


def test_resuming_without_initial_lr_says_to_load_the_optimizer_state_first():
    our_opt, torch_opt = optimizers()
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"
                                       r".*optimizer\.load_state_dict\(saved\) first"):
        lr_scheduler.ExponentialLR(our_opt, gamma=0.9, last_epoch=3)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        torch.optim.lr_scheduler.ExponentialLR(torch_opt, gamma=0.9, last_epoch=3)


def test_scheduled_lr_reaches_the_update():
    """After StepLR has cut the lr, SGD's step uses the new value."""
    w = mlcore.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    scheduler = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = np.array([1.0, 1.0])
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) - (0.1 + 0.05 + 0.025), rtol=1e-15)


def test_cosine_eta_min_that_is_negative_or_not_a_number_is_refused_before_the_first_step():
    our_opt, _ = optimizers()
    with pytest.raises(ValueError, match=r"Invalid eta_min: -0\.01\. It is the lowest learning "
                                         r"rate the cosine reaches, so it must be >= 0 .*climbs"):
        lr_scheduler.CosineAnnealingLR(our_opt, T_max=10, eta_min=-0.01)
    with pytest.raises(TypeError, match=r"eta_min must be a number, but got '0'\. It is the "
                                        r"lowest"):
        lr_scheduler.CosineAnnealingLR(our_opt, T_max=10, eta_min="0")
    assert [group["lr"] for group in our_opt.param_groups] == list(GROUP_LRS)
