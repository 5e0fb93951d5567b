"""The CIFAR-10 network of chapter 8 (COURSE.md section 7), in mlcore and torch with the same weights.

Three 5x5 convolutions (32, 32, 64 channels, padding 2), each followed by 2x2
max-pooling, then Linear 1024 -> 64 -> 10, on a batch of 4 random 3x32x32
images. Outputs and the gradient of every parameter must agree to 1e-10.
"""

import numpy as np
import pytest
import torch

import mlcore
import mlcore.nn.functional as F
from mlcore import nn
from networks import cifar_net
from oracle import assert_close

BATCH = 4


@pytest.fixture
def nets():
    """The two networks with torch's initial weights copied into mlcore's."""
    ours, theirs = cifar_net(nn), cifar_net(torch.nn)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


@pytest.fixture
def images():
    return np.random.default_rng(0).standard_normal((BATCH, 3, 32, 32))


def weighted_sum(out, lib):
    """sum(out * v) for a fixed random v: its gradient is v, so every logit gets a distinct gradient."""
    v = np.random.default_rng(1).standard_normal((BATCH, 10))
    return (out * (mlcore.tensor(v) if lib is mlcore else torch.from_numpy(v))).sum()


def cross_entropy(out, lib):
    labels = np.array([3, 0, 9, 3])
    if lib is mlcore:
        return F.cross_entropy(out, mlcore.tensor(labels))
    return torch.nn.functional.cross_entropy(out, torch.from_numpy(labels))


def test_cifar_network_has_torchs_parameters():
    ours, theirs = cifar_net(nn), cifar_net(torch.nn)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert sum(p.data.size for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    assert repr(ours) == str(theirs)


@pytest.mark.parametrize("loss", [weighted_sum, cross_entropy])
def test_cifar_forward_and_backward_match_torch(nets, images, loss):
    ours, theirs = nets
    x_ours = mlcore.tensor(images, requires_grad=True)
    x_theirs = torch.tensor(images, requires_grad=True)
    out, ref = ours(x_ours), theirs(x_theirs)
    assert out.shape == (BATCH, 10)
    assert_close(out, ref, what="logits")
    value, ref_value = loss(out, mlcore), loss(ref, torch)
    assert_close(value, ref_value, what="loss")
    value.backward()
    ref_value.backward()
    assert_close(x_ours.grad, x_theirs.grad, what="gradient of the images")
    ref_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        assert_close(param.grad, ref_params[name].grad, what=f"gradient of {name}")


def test_cifar_weights_copy_from_mlcore_to_torch(images):
    ours, theirs = cifar_net(nn), cifar_net(torch.nn)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    assert_close(ours(mlcore.tensor(images)), theirs(torch.from_numpy(images)))


def test_cifar_network_runs_in_float32(nets, images):
    ours, theirs = nets
    ours.float()
    theirs.float()
    out = ours(mlcore.tensor(images, dtype=mlcore.float32))
    ref = theirs(torch.tensor(images, dtype=torch.float32))
    assert out.dtype == np.float32
    assert_close(out, ref, np.float32, what="float32 logits")
    weighted_sum(out, mlcore).backward()
    assert all(p.grad.dtype == np.float32 for p in ours.parameters())
