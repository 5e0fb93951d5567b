"""mlcore.optim against torch.optim (float64): trajectories, state, zero_grad and errors that teach.

Both libraries get the same gradients, computed in numpy from their own current
parameters, so a test compares only the optimizers' update rules.
"""

import tracemalloc

import numpy as np
import pytest
import torch

import mlcore
from mlcore import optim
from oracle import RTOL64

NAMES = ["SGD", "RMSprop", "Adagrad", "Adam", "AdamW"]


def pair(name):
    return getattr(optim, name), getattr(torch.optim, name)


# ---------------------------------------------------------------- problems ----
# A problem is (initial parameter arrays, function from parameter arrays to gradients).

def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(arrays):
    (x, y), = arrays
    return [np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])]


ROSENBROCK = ([np.array([-1.2, 1.0])], rosenbrock_grad)

_rng = np.random.default_rng(7)
X = _rng.normal(size=(8, 3))
Y = _rng.normal(size=(8, 2))
MLP_INIT = [_rng.normal(size=(4, 3)), _rng.normal(size=4), _rng.normal(size=(2, 4)),
            _rng.normal(size=2), np.array(1.5)]


def mlp_loss_and_grads(arrays):
    """Mean squared error of scale * (W2 tanh(W1 x + b1) + b2), and its gradient by hand."""
    W1, b1, W2, b2, scale = arrays
    h = np.tanh(X @ W1.T + b1)
    inner = h @ W2.T + b2
    out = scale * inner
    loss = np.mean((out - Y) ** 2)
    d_out = 2 * (out - Y) / out.size
    d_scale = np.sum(d_out * inner)
    d_inner = d_out * scale
    d_pre = (d_inner @ W2) * (1 - h**2)
    return loss, [d_pre.T @ X, d_pre.sum(0), d_inner.T @ h, d_inner.sum(0), np.array(d_scale)]


MLP = (MLP_INIT, lambda arrays: mlp_loss_and_grads(arrays)[1])
PROBLEMS = {"rosenbrock": ROSENBROCK, "mlp": MLP}

# Learning rates that make progress on each problem without diverging.
LR = {
    "rosenbrock": {"SGD": 1e-3, "RMSprop": 5e-3, "Adagrad": 0.3, "Adam": 0.05, "AdamW": 0.05},
    "mlp": {"SGD": 0.1, "RMSprop": 1e-3, "Adagrad": 0.05, "Adam": 0.02, "AdamW": 0.02},
}

# Every option alone, then combinations.
OPTIONS = {
    "SGD": [{}, {"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.3}, {"weight_decay": 0.1},
            {"momentum": 0.9, "nesterov": True},
            {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
            {"momentum": 0.7, "dampening": 0.5, "weight_decay": 0.05}],
    "RMSprop": [{}, {"alpha": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.1}, {"momentum": 0.8},
                {"centered": True}, {"centered": True, "momentum": 0.5},
                {"alpha": 0.95, "eps": 1e-4, "weight_decay": 0.05, "momentum": 0.6,
                 "centered": True}],
    "Adagrad": [{}, {"lr_decay": 0.01}, {"weight_decay": 0.1},
                {"initial_accumulator_value": 0.5}, {"eps": 1e-3},
                {"lr_decay": 0.02, "weight_decay": 0.05, "initial_accumulator_value": 0.1,
                 "eps": 1e-6}],
    "Adam": [{}, {"betas": (0.8, 0.99)}, {"eps": 1e-3}, {"weight_decay": 0.1},
             {"amsgrad": True}, {"amsgrad": True, "weight_decay": 0.05},
             {"betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.01, "amsgrad": True}],
    "AdamW": [{}, {"weight_decay": 0}, {"weight_decay": 0.3}, {"betas": (0.8, 0.99)},
              {"eps": 1e-3}, {"amsgrad": True},
              {"betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}],
}
CASES = [pytest.param(name, options, id=f"{name}-{options}")
         for name in NAMES for options in OPTIONS[name]]
EVERYTHING_ON = {name: OPTIONS[name][-1] for name in NAMES}


# ---------------------------------------------------------------- runners ----

def mlcore_params(initial):
    return [mlcore.tensor(a.copy(), requires_grad=True) for a in initial]


def torch_params(initial):
    return [torch.tensor(a.copy(), requires_grad=True) for a in initial]


def run_both(name, kwargs, problem, steps, groups=lambda ps: ps, grad_is_none=lambda t, i: False):
    """Step mlcore's and torch's optimizer side by side; return both trajectories."""
    initial, grad_fn = problem
    ours, theirs = mlcore_params(initial), torch_params(initial)
    our_cls, torch_cls = pair(name)
    our_opt, torch_opt = our_cls(groups(ours), **kwargs), torch_cls(groups(theirs), **kwargs)
    our_path, torch_path = [], []
    for t in range(steps):
        for params, to_grad in ((ours, np.asarray), (theirs, torch.from_numpy)):
            arrays = [p.detach().numpy().copy() if torch.is_tensor(p) else p.data.copy()
                      for p in params]
            for i, (p, g) in enumerate(zip(params, grad_fn(arrays))):
                p.grad = None if grad_is_none(t, i) else to_grad(g)
        our_opt.step()
        torch_opt.step()
        our_path.append([p.data.copy() for p in ours])
        torch_path.append([p.detach().numpy().copy() for p in theirs])
    return our_path, torch_path, (our_opt, torch_opt, ours, theirs)


def assert_same_path(our_path, torch_path):
    for t, (ours, theirs) in enumerate(zip(our_path, torch_path)):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(a, b, rtol=RTOL64, atol=0,
                                       err_msg=f"parameter {i} differs after step {t + 1}")


# ---------------------------------------------------------- trajectories ----

@pytest.mark.parametrize("name, options", CASES)
def test_rosenbrock_trajectory_equals_torch(name, options):
    kwargs = {"lr": LR["rosenbrock"][name], **options}
    ours, theirs, _ = run_both(name, kwargs, ROSENBROCK, steps=150)
    assert_same_path(ours, theirs)
    start, end = rosenbrock(*ROSENBROCK[0][0]), rosenbrock(*ours[-1][0])
    assert np.isfinite(end) and end != start


@pytest.mark.parametrize("name, options", CASES)
def test_network_trajectory_equals_torch(name, options):
    kwargs = {"lr": LR["mlp"][name], **options}
    ours, theirs, _ = run_both(name, kwargs, MLP, steps=120)
    assert_same_path(ours, theirs)
    start, end = mlp_loss_and_grads(MLP_INIT)[0], mlp_loss_and_grads(ours[-1])[0]
    assert end < start


def test_network_gradient_by_hand_equals_torch_autograd():
    W1, b1, W2, b2, scale = torch_params(MLP_INIT)
    out = scale * (torch.tanh(torch.from_numpy(X) @ W1.T + b1) @ W2.T + b2)
    loss = torch.mean((out - torch.from_numpy(Y)) ** 2)
    loss.backward()
    our_loss, our_grads = mlp_loss_and_grads(MLP_INIT)
    np.testing.assert_allclose(our_loss, loss.item(), rtol=1e-12)
    for ours, p in zip(our_grads, (W1, b1, W2, b2, scale)):
        np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_training_loop_with_backward_and_zero_grad_equals_torch(name):
    """The loop the course teaches (forward, backward, step, zero_grad), each library's autograd."""
    kwargs = {"lr": LR["rosenbrock"][name], **EVERYTHING_ON[name]}
    ours, theirs = mlcore_params(ROSENBROCK[0]), torch_params(ROSENBROCK[0])
    our_cls, torch_cls = pair(name)
    our_opt, torch_opt = our_cls(ours, **kwargs), torch_cls(theirs, **kwargs)
    for _ in range(100):
        for (point,), opt in ((ours, our_opt), (theirs, torch_opt)):
            rosenbrock(point[0], point[1]).backward()
            opt.step()
            opt.zero_grad()
        assert ours[0].grad is None
        np.testing.assert_allclose(ours[0].data, theirs[0].detach().numpy(), rtol=RTOL64, atol=0)


# The first group's own settings; the second group takes the optimizer's defaults.
GROUP_OPTIONS = {
    "SGD": {"momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05},
    "RMSprop": {"alpha": 0.95, "eps": 1e-4, "weight_decay": 0.05, "momentum": 0.6,
                "centered": True},
    "Adagrad": {"lr_decay": 0.02, "weight_decay": 0.05, "eps": 1e-6},
    "Adam": {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01, "amsgrad": True},
    "AdamW": {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
}


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_their_own_hyperparameters_equal_torch(name):
    first = {"lr": LR["mlp"][name] / 2, **GROUP_OPTIONS[name]}

    def groups(ps):
        return [{"params": ps[:2], **first}, {"params": ps[2:]}]

    ours, theirs, (our_opt, *_) = run_both(name, {"lr": LR["mlp"][name]}, MLP, steps=100,
                                          groups=groups)
    assert_same_path(ours, theirs)
    assert [g["lr"] for g in our_opt.param_groups] == [first["lr"], LR["mlp"][name]]


def test_adagrad_starts_each_group_at_its_own_initial_accumulator_value():
    """PyTorch fills every group with the constructor's value; mlcore honours the group's."""
    params = mlcore_params(MLP_INIT)
    opt = optim.Adagrad([{"params": params[:2], "initial_accumulator_value": 0.5},
                         {"params": params[2:]}], initial_accumulator_value=0.1)
    assert [opt.state[p]["sum"].flat[0] for p in params] == [0.5, 0.5, 0.1, 0.1, 0.1]
    assert all(opt.state[p]["step"] == 0 for p in params)


@pytest.mark.parametrize("name", NAMES)
def test_params_whose_grad_is_none_are_skipped_as_torch_skips_them(name):
    def grad_is_none(t, i):
        return i == 4 or (t % 3 == 0 and i == t % 4)

    kwargs = {"lr": LR["mlp"][name], **EVERYTHING_ON[name]}
    ours, theirs, (our_opt, _, params, _) = run_both(name, kwargs, MLP, steps=100,
                                                     grad_is_none=grad_is_none)
    assert_same_path(ours, theirs)
    np.testing.assert_array_equal(params[4].data, MLP_INIT[4])
    if name != "Adagrad":  # Adagrad, like PyTorch's, creates its state at construction
        assert params[4] not in our_opt.state


@pytest.mark.parametrize("name", NAMES)
def test_defaults_equal_torch(name):
    our_cls, torch_cls = pair(name)
    ours = our_cls(mlcore_params(MLP_INIT)).param_groups[0]
    theirs = torch_cls(torch_params(MLP_INIT)).param_groups[0]
    for key in ours:
        if key != "params":
            assert ours[key] == theirs[key], key


def test_single_2_element_point_and_network_parameters_are_updated_in_place():
    for name in NAMES:
        for initial in (ROSENBROCK[0], MLP_INIT):
            params = mlcore_params(initial)
            arrays = [p.data for p in params]
            opt = getattr(optim, name)(params, **EVERYTHING_ON[name])
            for p in params:
                p.grad = np.ones_like(p.data)
            opt.step()
            assert all(p.data is a for p, a in zip(params, arrays)), name
            assert not any(np.array_equal(p.data, a) for p, a in zip(params, initial)), name


@pytest.mark.parametrize("name", NAMES)
def test_a_step_allocates_no_parameter_sized_arrays(name):
    params = mlcore_params([np.linspace(-1, 1, 20_000).reshape(200, 100), np.ones(300)])
    opt = getattr(optim, name)(params, **EVERYTHING_ON[name])
    for p in params:
        p.grad = np.full_like(p.data, 0.5)
    opt.step()  # the first step creates the state and scratch arrays
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < params[0].data.nbytes / 10


def test_float32_parameters_stay_float32_and_follow_torch():
    for name in NAMES:
        kwargs = {"lr": LR["mlp"][name], **EVERYTHING_ON[name]}
        initial = [a.astype(np.float32) for a in MLP_INIT]
        problem = (initial, lambda arrays: [g.astype(np.float32) for g in MLP[1](arrays)])
        ours, theirs, (*_, params, _) = run_both(name, kwargs, problem, steps=20)
        assert all(p.data.dtype == np.float32 for p in params)
        for a, b in zip(ours[-1], theirs[-1]):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# ---------------------------------------------- a fact from the source articles ----

def article_adam(theta, grad_fn, lr, b1, b2, eps, steps):
    """Adam as one of the course's source articles writes it in numpy."""
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    path = []
    for t in range(1, steps + 1):
        g = grad_fn(theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return path


@pytest.mark.parametrize("problem", ["rosenbrock", "mlp"])
def test_the_articles_numpy_adam_equals_mlcore_adam_and_torch_adam(problem):
    initial, grad_fn = PROBLEMS[problem]
    lr, steps = LR[problem]["Adam"], 300
    sizes = np.cumsum([a.size for a in initial])[:-1]

    def flat_grad(theta):
        arrays = [part.reshape(a.shape) for part, a in zip(np.split(theta, sizes), initial)]
        return np.concatenate([g.ravel() for g in grad_fn(arrays)])

    article = article_adam(np.concatenate([a.ravel() for a in initial]), flat_grad,
                           lr, 0.9, 0.999, 1e-8, steps)
    ours, theirs, _ = run_both("Adam", {"lr": lr}, PROBLEMS[problem], steps=steps)
    for t in range(steps):
        ours_flat = np.concatenate([a.ravel() for a in ours[t]])
        np.testing.assert_allclose(ours_flat, article[t], rtol=RTOL64, atol=0)
        np.testing.assert_allclose(np.concatenate([a.ravel() for a in theirs[t]]), article[t],
                                   rtol=RTOL64, atol=0)


def test_an_optimizer_written_by_a_learner_as_in_pytorch_works_with_the_base_class():
    class PlainGradientDescent(optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, {"lr": lr})

        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.data -= group["lr"] * p.grad

    initial, grad_fn = MLP
    mine, library = mlcore_params(initial), mlcore_params(initial)
    optimizers = PlainGradientDescent(mine, lr=0.1), optim.SGD(library, lr=0.1)
    for _ in range(20):
        for params, opt in zip((mine, library), optimizers):
            for p, g in zip(params, grad_fn([p.data for p in params])):
                p.grad = g
            opt.step()
            opt.zero_grad()
    for a, b in zip(mine, library):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-13)
    assert optimizers[0].state_dict()["param_groups"] == [{"lr": 0.1, "params": [0, 1, 2, 3, 4]}]


# ------------------------------------------------------------- zero_grad ----

def test_zero_grad_sets_grads_to_none_by_default_like_torch():
    params = mlcore_params(MLP_INIT)
    opt = optim.SGD(params, lr=0.1)
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_set_to_none_false_fills_the_same_arrays_with_zeros():
    params = mlcore_params(MLP_INIT)
    opt = optim.Adam(params)
    grads = [np.ones_like(p.data) for p in params]
    for p, g in zip(params, grads):
        p.grad = g
    params[1].grad = None
    opt.zero_grad(set_to_none=False)
    assert params[1].grad is None
    for i in (0, 2, 3, 4):
        assert params[i].grad is grads[i]
        np.testing.assert_array_equal(params[i].grad, 0.0)


# ------------------------------------------------------------ state_dict ----

@pytest.mark.parametrize("name", NAMES)
def test_state_dict_has_torchs_structure_and_values(name):
    def groups(ps):
        return [{"params": ps[:3], "lr": 0.01}, {"params": ps[3:]}]

    kwargs = {"lr": LR["mlp"][name], **EVERYTHING_ON[name]}
    _, _, (our_opt, torch_opt, *_) = run_both(name, kwargs, MLP, steps=30, groups=groups)
    ours, theirs = our_opt.state_dict(), torch_opt.state_dict()
    assert list(ours["state"]) == list(theirs["state"]) == [0, 1, 2, 3, 4]
    for index, state in ours["state"].items():
        assert set(state) == set(theirs["state"][index])
        for key, value in state.items():
            expected = theirs["state"][index][key]
            if key == "step":
                assert value == expected.item()
            else:
                np.testing.assert_allclose(value, expected.numpy(), rtol=RTOL64, atol=0)
    for our_group, torch_group in zip(ours["param_groups"], theirs["param_groups"]):
        assert {key: torch_group[key] for key in our_group} == our_group


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_exactly_like_an_uninterrupted_run(name):
    kwargs = {"lr": LR["mlp"][name], **EVERYTHING_ON[name]}
    initial, grad_fn = MLP

    def steps(opt, params, n):
        path = []
        for _ in range(n):
            for p, g in zip(params, grad_fn([p.data for p in params])):
                p.grad = g
            opt.step()
            path.append([p.data.copy() for p in params])
        return path

    params = mlcore_params(initial)
    opt = getattr(optim, name)(params, **kwargs)
    steps(opt, params, 40)
    saved = opt.state_dict()

    resumed_params = mlcore_params([p.data for p in params])
    resumed = getattr(optim, name)(resumed_params, lr=123.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]

    uninterrupted, after_loading = steps(opt, params, 40), steps(resumed, resumed_params, 40)
    for a, b in zip(uninterrupted, after_loading):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_state_dict_is_a_snapshot_that_later_steps_do_not_change():
    params = mlcore_params(ROSENBROCK[0])
    opt = optim.Adam(params, lr=0.1)
    params[0].grad = np.array([1.0, -2.0])
    opt.step()
    saved = opt.state_dict()
    exp_avg = saved["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"], exp_avg)
    assert saved["state"][0]["step"] == 1


def test_load_state_dict_with_other_group_count_says_so():
    saved = optim.SGD(mlcore_params(MLP_INIT), lr=0.1).state_dict()
    params = mlcore_params(MLP_INIT)
    opt = optim.SGD([{"params": params[:2]}, {"params": params[2:]}], lr=0.1)
    with pytest.raises(ValueError, match="has 1 parameter groups but this optimizer has 2"):
        opt.load_state_dict(saved)


def test_load_state_dict_from_another_model_says_so():
    saved = optim.SGD(mlcore_params(MLP_INIT), lr=0.1).state_dict()
    with pytest.raises(ValueError, match="5 parameters in group 0 but this optimizer has 1. "
                                         "Was it saved from a different model"):
        optim.SGD(mlcore_params(ROSENBROCK[0]), lr=0.1).load_state_dict(saved)


def test_load_state_dict_with_state_of_another_shape_says_so():
    params = mlcore_params([np.zeros(3)])
    opt = optim.Adam(params)
    params[0].grad = np.ones(3)
    opt.step()
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(3,\) but the "
                                         r"parameter has shape \(2,\)"):
        optim.Adam(mlcore_params(ROSENBROCK[0])).load_state_dict(opt.state_dict())


# ---------------------------------------------------- bad input: errors that teach ----

BAD_ARGUMENTS = [
    (name, {"lr": -0.1}, r"Invalid learning rate: -0.1\. .*a negative lr climbs the loss.*lr=")
    for name in NAMES
] + [
    (name, {"weight_decay": -1e-4}, r"Invalid weight_decay value: -0.0001\. .*must be >= 0")
    for name in NAMES
] + [
    (name, {"eps": -1e-8}, r"Invalid epsilon value: -1e-08\. .*avoid dividing by zero.*eps=")
    for name in ("RMSprop", "Adagrad", "Adam", "AdamW")
] + [
    (name, {"betas": betas}, rf"Invalid beta parameter at index {i}: {bad}\. .*in \[0, 1\)"
                             r".*betas=\(0\.9, 0\.999\)")
    for name in ("Adam", "AdamW")
    for betas, i, bad in [((1.0, 0.999), 0, "1.0"), ((-0.1, 0.999), 0, "-0.1"),
                          ((0.9, 1.0), 1, "1.0"), ((0.9, 1.5), 1, "1.5")]
] + [
    (name, {"momentum": -0.9}, r"Invalid momentum value: -0.9\. .*0\.9 is typical")
    for name in ("SGD", "RMSprop")
] + [
    ("SGD", {"nesterov": True}, r"Nesterov momentum requires a momentum and zero dampening, "
                                r"but got momentum=0 .*momentum=0\.9"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
     r"requires a momentum and zero dampening, but got momentum=0\.9 and dampening=0\.1\. "
     r".*leave dampening=0"),
    ("RMSprop", {"alpha": -0.5}, r"Invalid alpha value: -0.5\. .*alpha=0\.99"),
    ("Adagrad", {"lr_decay": -0.1}, r"Invalid lr_decay value: -0.1\. .*must be >= 0"),
    ("Adagrad", {"initial_accumulator_value": -1.0},
     r"Invalid initial_accumulator_value value: -1.0\. .*square root"),
    ("Adam", {"lr": float("nan")}, r"Invalid learning rate: nan"),
]


@pytest.mark.parametrize("name, kwargs, message", BAD_ARGUMENTS,
                         ids=[f"{n}-{k}" for n, k, _ in BAD_ARGUMENTS])
def test_bad_hyperparameter_is_rejected_like_torch_with_a_message_that_teaches(
        name, kwargs, message):
    our_cls, torch_cls = pair(name)
    with pytest.raises(ValueError, match=message):
        our_cls(mlcore_params(ROSENBROCK[0]), **kwargs)
    with pytest.raises(ValueError):
        torch_cls(torch_params(ROSENBROCK[0]), **kwargs)


BOUNDARY_ARGUMENTS = [
    ("SGD", {"lr": 0.0, "momentum": 0.0, "weight_decay": 0.0, "dampening": 0.5}),
    ("RMSprop", {"lr": 0.0, "eps": 0.0, "alpha": 0.0, "momentum": 0.0}),
    ("Adagrad", {"lr": 0.0, "eps": 0.0, "lr_decay": 0.0, "initial_accumulator_value": 0.0}),
    ("Adam", {"lr": 0.0, "eps": 0.0, "betas": (0.0, 0.0)}),
    ("AdamW", {"betas": (0.0, 0.999999), "weight_decay": 0.0}),
]


@pytest.mark.parametrize("name, kwargs", BOUNDARY_ARGUMENTS)
def test_boundary_hyperparameters_are_accepted_like_torch(name, kwargs):
    our_cls, torch_cls = pair(name)
    torch_cls(torch_params(ROSENBROCK[0]), **kwargs)
    group = our_cls(mlcore_params(ROSENBROCK[0]), **kwargs).param_groups[0]
    assert {key: group[key] for key in kwargs} == kwargs


def test_bad_hyperparameter_in_a_param_group_is_rejected_too():
    params = mlcore_params(MLP_INIT)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([{"params": params[:2], "lr": -1}, {"params": params[2:]}], lr=0.1)


def test_betas_that_are_not_a_pair_say_so():
    with pytest.raises(ValueError, match=r"betas must be a pair \(beta1, beta2\), but got 0\.9"):
        optim.Adam(mlcore_params(ROSENBROCK[0]), betas=0.9)


def test_lr_that_is_not_a_number_says_so():
    with pytest.raises(TypeError, match="learning rate must be a number, but got '0.1'"):
        optim.SGD(mlcore_params(ROSENBROCK[0]), lr="0.1")


@pytest.mark.parametrize("name", NAMES)
def test_empty_parameter_list_says_so_like_torch(name):
    our_cls, torch_cls = pair(name)
    message = (rf"optimizer got an empty parameter list\. .*{name}\(model\.parameters\(\), "
               r"lr=0\.1\).*already used up")
    with pytest.raises(ValueError, match=message):
        our_cls([])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        torch_cls([])
    exhausted = (p for p in mlcore_params(MLP_INIT))
    list(exhausted)
    with pytest.raises(ValueError, match="empty parameter list"):
        our_cls(exhausted)


def test_a_single_tensor_instead_of_a_list_says_how_to_fix_it():
    with pytest.raises(TypeError, match=r"got a single Tensor\. Wrap it in a list: "
                                        r"SGD\(\[w\], lr=0\.1\)"):
        optim.SGD(mlcore.tensor([1.0, 2.0], requires_grad=True), lr=0.1)


def test_a_numpy_array_as_parameter_says_to_wrap_it():
    with pytest.raises(TypeError, match=r"one of the params is a numpy\.ndarray\. .*"
                                        r"w = mlcore\.tensor\(x, requires_grad=True\)"):
        optim.SGD([np.array([1.0, 2.0])], lr=0.1)


def test_an_integer_parameter_says_it_needs_floats():
    with pytest.raises(TypeError, match=r"dtype int64, .*floating-point array"):
        optim.SGD([mlcore.tensor(np.array([1, 2]))], lr=0.1)


def test_a_set_of_parameters_says_to_use_a_list():
    with pytest.raises(TypeError, match="not a set.*Use a list instead"):
        optim.SGD([{"params": set(mlcore_params(MLP_INIT))}], lr=0.1)


def test_a_parameter_in_two_groups_says_so():
    params = mlcore_params(MLP_INIT)
    with pytest.raises(ValueError, match="appear in more than one parameter group"):
        optim.SGD([{"params": params[:3]}, {"params": params[2:]}], lr=0.1)


def test_a_gradient_of_the_wrong_shape_says_so_instead_of_broadcasting():
    params = mlcore_params(ROSENBROCK[0])
    opt = optim.SGD(params, lr=0.1)
    params[0].grad = np.array([1.0])
    with pytest.raises(ValueError, match=r"data of shape \(2,\) but a gradient of shape \(1,\)"):
        opt.step()


def test_momentum_on_a_zero_dim_parameter_with_a_scalar_gradient_matches_torch():
    """A 0-d parameter whose .grad is a numpy scalar still updates its velocity."""
    p = mlcore.tensor(1.5, requires_grad=True)
    q = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    opt, ref = optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    for _ in range(5):
        p.grad = np.float64(2.0) * p.data[()]
        q.grad = 2.0 * q.detach().clone()
        opt.step()
        ref.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=RTOL64)


@pytest.mark.parametrize("bad_grad", [[1.0, 2.0], "grad"])
def test_a_gradient_that_is_not_an_array_is_refused_with_its_type(bad_grad):
    p = mlcore.tensor([1.0, 2.0], requires_grad=True)
    p.grad = bad_grad
    with pytest.raises(TypeError, match=r"parameter 0 of parameter group 0 has a \.grad of type"):
        optim.SGD([p], lr=0.1).step()


def test_a_param_group_without_params_says_how_to_write_one():
    params = mlcore_params(MLP_INIT)
    with pytest.raises(KeyError, match=r"a parameter group must hold its parameters under the key "
                                       r"'params', but this one has only \['lr', 'parameters'\]\. "
                                       r"Write it as \{'params': \[w, b\], 'lr': 0\.1\}"):
        optim.SGD([{"parameters": params, "lr": 0.1}], lr=0.1)
    with pytest.raises(KeyError):  # PyTorch refuses it too, with a bare KeyError: 'params'
        torch.optim.SGD([{"parameters": torch_params(MLP_INIT), "lr": 0.1}], lr=0.1)
    opt = optim.SGD(params[:2], lr=0.1)
    with pytest.raises(KeyError, match=r"under the key 'params', but this one has only \['lr'\]"):
        opt.add_param_group({"lr": 0.01})


FLAGS = [("SGD", {"momentum": 0.9, "nesterov": "False"}, "nesterov"),
         ("Adam", {"amsgrad": "False"}, "amsgrad"),
         ("AdamW", {"amsgrad": 1}, "amsgrad"),
         ("RMSprop", {"centered": "no"}, "centered")]


@pytest.mark.parametrize("name, kwargs, flag", FLAGS, ids=[f"{n}-{f}" for n, _, f in FLAGS])
def test_a_flag_that_is_not_true_or_false_says_so_instead_of_counting_as_true(name, kwargs, flag):
    """The string "False" is truthy: without the check it would switch the option on."""
    with pytest.raises(TypeError, match=rf"{flag} must be True or False, but got "
                                        rf"{kwargs[flag]!r} \({type(kwargs[flag]).__name__}\)\. "
                                        rf".*default.* {flag}=False"):
        getattr(optim, name)(mlcore_params(ROSENBROCK[0]), **kwargs)


def test_a_dampening_that_is_not_a_number_is_refused_before_the_first_step():
    with pytest.raises(TypeError, match=r"dampening must be a number, but got '0\.1'\. dampening "
                                        r"scales the new gradient .*\(1 - dampening\)"):
        optim.SGD(mlcore_params(ROSENBROCK[0]), lr=0.1, momentum=0.9, dampening="0.1")


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adagrad", "Adam"])
def test_weight_decay_adds_weight_decay_times_theta_to_the_gradient_and_leaves_grad_alone(name):
    """One step with weight_decay equals one step without it on grad + weight_decay * theta."""
    theta, grad = np.array([0.5, -2.0, 3.0]), np.array([0.1, 0.2, -0.3])
    decayed = mlcore.tensor(theta.copy(), requires_grad=True)
    decayed.grad = grad.copy()
    plain = mlcore.tensor(theta.copy(), requires_grad=True)
    plain.grad = grad + 0.25 * theta
    getattr(optim, name)([decayed], lr=0.1, weight_decay=0.25).step()
    getattr(optim, name)([plain], lr=0.1).step()
    np.testing.assert_allclose(decayed.data, plain.data, rtol=1e-15)
    np.testing.assert_array_equal(decayed.grad, grad)
