"""nn.Module and nn.Parameter against torch.nn: names, order, repr, modes, grads, state dicts, dtypes."""

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn, optim
from networks import cifar_net


def net_class(lib):
    """A module with attributes, a nested Sequential and a bare Parameter, in mlcore or torch."""

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.features = lib.Sequential(lib.Conv2d(3, 4, 3, padding=1), lib.ReLU(),
                                           lib.MaxPool2d(2), lib.Flatten())
            self.fc1 = lib.Linear(4 * 2 * 2, 8)
            self.act = lib.Tanh()
            self.fc2 = lib.Linear(8, 2, bias=False)
            self.scale = lib.Parameter(np.ones(2) if lib is nn else torch.ones(2))

        def forward(self, x):
            return self.fc2(self.act(self.fc1(self.features(x)))) * self.scale

    return Net


Net, TorchNet = net_class(nn), net_class(torch.nn)


def mlp(lib):
    return lib.Sequential(lib.Linear(2, 16), lib.Tanh(), lib.Linear(16, 16), lib.ReLU(),
                          lib.Linear(16, 1), lib.Sigmoid())


def pair(name):
    """The same architecture in mlcore and torch."""
    if name == "net":
        return Net(), TorchNet()
    return {"mlp": mlp, "cifar": cifar_net}[name](nn), {"mlp": mlp, "cifar": cifar_net}[name](torch.nn)


ARCHITECTURES = ["mlp", "cifar", "net"]


# ------------------------------------------------------------- Parameter --
def test_parameter_is_a_tensor_that_requires_grad_and_shares_data():
    data = np.array([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, mlcore.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert p.data is data
    assert not hasattr(p, "__dict__")
    assert nn.Parameter(mlcore.tensor([1.0]), requires_grad=False).requires_grad is False


def test_parameter_repr_matches_torch():
    assert repr(nn.Parameter(np.array([1.0, 2.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))


def test_operations_on_parameters_give_plain_tensors_and_reach_the_parameter():
    p = nn.Parameter(np.array([1.0, 2.0]))
    out = (p * 3).sum()
    assert type(out) is mlcore.Tensor
    out.backward()
    np.testing.assert_array_equal(p.grad, [3.0, 3.0])


def test_integer_parameter_is_rejected():
    with pytest.raises(TypeError, match="floating-point"):
        nn.Parameter(np.array([1, 2]))


# ----------------------------------------------------- names, order, repr --
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_named_parameters_match_torch_in_names_order_and_shapes(name):
    ours, theirs = pair(name)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_modules_and_children_match_torch(name):
    ours, theirs = pair(name)
    assert [(n, type(m).__name__) for n, m in ours.named_modules()][1:] == \
        [(n, type(m).__name__) for n, m in theirs.named_modules()][1:]
    assert [type(m).__name__ for m in ours.children()] == [type(m).__name__ for m in theirs.children()]
    assert len(list(ours.modules())) == len(list(theirs.modules()))


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_repr_equals_torch(name):
    ours, theirs = pair(name)
    assert repr(ours) == str(theirs)


@pytest.mark.parametrize("make", [
    lambda lib: lib.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
    lambda lib: lib.Conv2d(1, 2, (3, 5), stride=(2, 1), padding=(0, 2)),
    lambda lib: lib.MaxPool2d(3, stride=1, padding=1),
    lambda lib: lib.MaxPool2d((2, 3)),
    lambda lib: lib.Flatten(0, 2),
    lambda lib: lib.Linear(3, 1, bias=False),
    lambda lib: lib.Sequential(),
    lambda lib: lib.Sequential(lib.Sequential(lib.Linear(1, 2), lib.ReLU()), lib.Sigmoid()),
])
def test_layer_repr_equals_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_mlp_repr_is_pytorchs_format():
    net = nn.Sequential(nn.Linear(2, 16), nn.Tanh())
    assert repr(net) == ("Sequential(\n  (0): Linear(in_features=2, out_features=16, bias=True)\n"
                         "  (1): Tanh()\n)")


def test_a_parameter_shared_by_two_layers_is_listed_once():
    first, second = nn.Linear(2, 2), nn.Linear(2, 2)
    second.weight = first.weight
    net = nn.Sequential(first, second)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


# ---------------------------------------------------------- Sequential --
def test_sequential_indexing_slicing_len_iteration_and_append():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    net = nn.Sequential(*layers)
    assert len(net) == 3 and list(net) == layers
    assert net[0] is layers[0] and net[-1] is layers[2]
    head = net[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    assert net.append(nn.Sigmoid()) is net and len(net) == 4
    assert [n for n, _ in net.named_children()] == ["0", "1", "2", "3"]
    with pytest.raises(IndexError, match="out of range for a Sequential of 4 layers"):
        net[4]


def test_sequential_from_ordered_dict_uses_its_names():
    net = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    ref = torch.nn.Sequential(OrderedDict([("hidden", torch.nn.Linear(2, 3)), ("act", torch.nn.ReLU())]))
    assert list(net.state_dict()) == list(ref.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert repr(net) == repr(ref)


def test_sequential_forward_applies_layers_in_order():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    x = mlcore.randn(4, 2)
    np.testing.assert_array_equal(net(x).data, net[1](net[0](x)).data)


@pytest.mark.parametrize("args,match", [
    ((nn.Linear,), r"class Linear at position 0, not a layer.*parentheses"),
    (([nn.Linear(1, 1), nn.ReLU()],), r"nn\.Sequential\(\*layers\)"),
    ((nn.ReLU(), 3), "got int at position 1"),
])
def test_sequential_rejects_non_layers_with_a_fix(args, match):
    with pytest.raises(TypeError, match=match):
        nn.Sequential(*args)


# ---------------------------------------------------- modes and gradients --
def test_train_and_eval_set_training_on_every_module():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="True or False"):
        net.train("no")


def run_backward(net):
    net(mlcore.randn(2, 3, 4, 4)).sum().backward()


def test_zero_grad_sets_gradients_to_none_by_default():
    net = Net()
    run_backward(net)
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_set_to_none_false_fills_the_same_arrays_with_zeros():
    net = Net()
    run_backward(net)
    arrays = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    for p, array in zip(net.parameters(), arrays):
        assert p.grad is array and not p.grad.any()


def test_gradients_accumulate_until_zero_grad_like_torch():
    net, ref = pair("mlp")
    net.load_state_dict(ref.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 2))
    for _ in range(2):
        net(mlcore.tensor(x)).sum().backward()
        ref(torch.from_numpy(x)).sum().backward()
    for (name, p), q in zip(net.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_an_optimizer_trains_module_parameters():
    net = nn.Sequential(nn.Linear(2, 1))
    before = net[0].weight.data.copy()
    opt = optim.SGD(net.parameters(), lr=0.1)
    net(mlcore.ones(3, 2)).sum().backward()
    opt.step()
    np.testing.assert_allclose(net[0].weight.data, before - 0.1 * 3)


# ---------------------------------------------------------- state_dict --
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_state_dict_keys_and_shapes_match_torch(name):
    ours, theirs = pair(name)
    state = ours.state_dict()
    assert isinstance(state, OrderedDict)
    assert [(k, v.shape) for k, v in state.items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert all(isinstance(v, np.ndarray) for v in state.values())


def test_state_dict_holds_copies():
    net = nn.Linear(2, 3)
    state = net.state_dict()
    state["weight"][...] = 7.0
    assert not (net.weight.data == 7.0).any()


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_load_state_dict_from_torch_copies_in_place_and_round_trips(name):
    ours, theirs = pair(name)
    arrays = [p.data for p in ours.parameters()]
    assert ours.load_state_dict(theirs.state_dict()) == ([], [])
    for p, array, (key, value) in zip(ours.parameters(), arrays, theirs.state_dict().items()):
        assert p.data is array, f"{key} was replaced, not copied into"
        np.testing.assert_array_equal(p.data, value.numpy())
    fresh = pair(name)[1]
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[key].numpy())


def test_load_state_dict_accepts_mlcore_tensors_and_casts_to_the_model_dtype():
    net = nn.Linear(2, 1).float()
    net.load_state_dict({"weight": mlcore.tensor([[0.5, 0.25]]), "bias": np.array([1.0])})
    assert net.weight.dtype == np.float32
    np.testing.assert_array_equal(net.weight.data, [[0.5, 0.25]])


def test_load_state_dict_reports_missing_and_unexpected_keys():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = net.state_dict()
    del state["1.bias"]
    state["2.weight"] = np.zeros((1, 1))
    with pytest.raises(RuntimeError, match=r"(?s)for Sequential.*Missing key\(s\): '1\.bias'.*"
                                           r"Unexpected key\(s\): '2\.weight'.*strict=False"):
        net.load_state_dict(state)


def test_load_state_dict_non_strict_returns_the_keys_and_loads_the_rest():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = net.state_dict()
    del state["1.bias"]
    state["0.bias"] = np.arange(3.0)
    state["extra"] = np.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net[0].bias.data, [0.0, 1.0, 2.0])


def test_load_state_dict_shape_mismatch_names_the_key_and_both_shapes_and_copies_nothing():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = net.state_dict()
    state = net.state_dict()
    state["0.bias"] = np.zeros(3)
    state["1.weight"] = np.zeros((1, 4))
    with pytest.raises(RuntimeError, match=r"size mismatch for 1\.weight: copying a param with shape "
                                           r"\(1, 4\) from the state_dict.*current model is \(1, 3\)"):
        net.load_state_dict(state, strict=False)
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_load_state_dict_spots_a_transposed_weight():
    with pytest.raises(RuntimeError, match=r"looks transposed.*\(out_features, in_features\)"):
        nn.Linear(2, 3).load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(3)})


# --------------------------------------------------------------- dtype --
def test_float_and_double_convert_parameters_and_grads_in_place():
    net = Net()
    params = list(net.parameters())
    run_backward(net)
    assert net.float() is net
    assert list(net.parameters()) == params
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in params)
    net.zero_grad()
    net(mlcore.randn(2, 3, 4, 4, dtype=mlcore.float32)).sum().backward()
    assert all(p.grad.dtype == np.float32 for p in params)
    net.double()
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert net.to(mlcore.float32) is net and net.fc1.weight.dtype == np.float32


@pytest.mark.parametrize("bad", ["cpu", np.int64, torch.float32])
def test_to_rejects_devices_and_non_float_dtypes(bad):
    with pytest.raises(TypeError, match=r"Module\.to\(\): dtype must be a floating-point dtype "
                                        r"such as mlcore\.float32.*no device to move to\."):
        nn.Linear(1, 1).to(bad)


# ------------------------------------------------- custom modules, errors --
def test_forward_must_be_defined():
    class Forgot(nn.Module):
        def forwrd(self, x):
            return x

    expected = r"Forgot has no forward\(\) method.*spelled `forward`"
    with pytest.raises(NotImplementedError, match=expected):
        Forgot()(mlcore.ones(1))


def test_assigning_a_layer_before_super_init_is_explained():
    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"Call super\(\).__init__\(\) as the first line of Early"):
        Early()


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"'weight', which is a parameter.*nn\.Parameter or None"):
        layer.weight = mlcore.ones(1, 2)


def test_register_parameter_takes_a_parameter_or_none():
    layer = nn.Linear(1, 1)
    with pytest.raises(TypeError, match=r"nn\.Parameter or None.*nn\.Parameter\(t\)"):
        layer.register_parameter("extra", mlcore.ones(1))
    layer.register_parameter("extra", None)
    assert layer.extra is None and list(layer.state_dict()) == ["weight", "bias"]


def test_reassigning_and_deleting_attributes_keeps_the_registry_in_step():
    net = Net()
    net.fc2 = None
    net.act = nn.Linear(8, 2)
    del net.scale
    names = [n for n, _ in net.named_parameters()]
    assert names[-4:] == ["fc1.weight", "fc1.bias", "act.weight", "act.bias"]
    net.fc1 = nn.ReLU()
    assert "fc1.weight" not in net.state_dict()


def test_deepcopy_gives_an_independent_network():
    net = mlp(nn)
    clone = copy.deepcopy(net)
    clone[0].weight.data[...] = 0
    assert net[0].weight.data.any()
    assert repr(clone) == repr(net)


def test_apply_visits_every_module_children_first():
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]


# ----------------------------------------------------- initialisation --
def test_manual_seed_makes_initialisation_repeatable():
    mlcore.manual_seed(3)
    first = mlp(nn).state_dict()
    mlcore.manual_seed(3)
    second = mlp(nn).state_dict()
    mlcore.manual_seed(4)
    third = mlp(nn).state_dict()
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert not np.array_equal(first["0.weight"], third["0.weight"])


def test_float32_layers_draw_the_same_numbers_rounded():
    mlcore.manual_seed(1)
    wide = nn.Conv2d(2, 3, 3)
    mlcore.manual_seed(1)
    narrow = nn.Conv2d(2, 3, 3, dtype=mlcore.float32)
    np.testing.assert_array_equal(narrow.weight.data, wide.weight.data.astype(np.float32))


@pytest.mark.parametrize("make,fan_in", [
    (lambda lib: lib.Linear(50, 400), 50),
    (lambda lib: lib.Conv2d(8, 64, 5), 8 * 25),
])
def test_default_init_is_uniform_within_one_over_sqrt_fan_in_like_torch(make, fan_in):
    bound = 1 / math.sqrt(fan_in)
    ours, theirs = make(nn), make(torch.nn)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        values, reference = p.data.ravel(), q.detach().numpy().ravel()
        # n draws from U(-b, b) all stay below b * (1 - 10/n) with probability about e^-10.
        assert bound * (1 - 10 / values.size) < np.abs(values).max() <= bound, name
        # U(-b, b) has standard deviation b / sqrt(3); the sample's is off by about 0.45 / sqrt(n).
        for sample in (values, reference):
            assert abs(sample.std() / (bound / math.sqrt(3)) - 1) < 2 / math.sqrt(sample.size), name
        assert abs(values.mean()) < 5 * bound / math.sqrt(3 * values.size), name


def test_load_state_dict_and_init_make_a_graph_on_the_old_weights_stale():
    """As in torch, loading weights or re-initialising is an in-place change: backward through a
    graph built on the old weights raises instead of giving gradients of values no longer there."""
    for change in (lambda net: net.load_state_dict(nn.Linear(2, 1).state_dict()),
                   lambda net: nn.init.zeros_(net.weight)):
        net = nn.Linear(2, 1)
        loss = net(mlcore.tensor([[1.0, 2.0]])).sum()
        change(net)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()
