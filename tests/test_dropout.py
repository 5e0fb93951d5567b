"""nn.Dropout and F.dropout against torch in the modes where the two can be compared.

The masks come from different generators, so the two libraries never drop the
same elements. What must agree: evaluation mode (and p = 0) is the identity;
p = 1 gives zeros; in training mode every output is 0 or input / (1 - p), a
fraction p of them 0; the gradient is the same mask times 1 / (1 - p); and
the printed layer. The mask comes from mlcore's generator, so manual_seed
repeats it.
"""

import numpy as np
import pytest
import torch

import mlcore
import mlcore.nn.functional as F
from mlcore import nn


def pair(shape=(200, 50), seed=0):
    data = np.random.default_rng(seed).normal(size=shape) + 3.0  # no zeros among the inputs
    return mlcore.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_evaluation_mode_is_the_identity_as_in_torch(p):
    ours, theirs = pair()
    layer, reference = nn.Dropout(p).eval(), torch.nn.Dropout(p).eval()
    out, expected = layer(ours), reference(theirs)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    assert out is ours  # nothing is computed, as in torch, which returns its input
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_p_zero_in_training_and_p_one_agree_with_torch():
    ours, theirs = pair((5, 4))
    np.testing.assert_array_equal(F.dropout(ours, 0.0).data, torch.nn.functional.dropout(theirs, 0.0).detach())
    np.testing.assert_array_equal(F.dropout(ours, 1.0).data, torch.nn.functional.dropout(theirs, 1.0).detach())
    F.dropout(ours, 1.0).sum().backward()
    torch.nn.functional.dropout(theirs, 1.0).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    assert not ours.grad.any()


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_training_mode_keeps_or_zeroes_each_element_scaled_like_torch(p):
    ours, theirs = pair()
    for out, x in ((F.dropout(ours, p).data, ours.data),
                   (torch.nn.functional.dropout(theirs, p).detach().numpy(), theirs.detach().numpy())):
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
        # 10 000 elements: the dropped fraction is within 4 standard deviations of p.
        assert abs((~kept).mean() - p) < 4 * np.sqrt(p * (1 - p) / x.size)


@pytest.mark.parametrize("p", [0.25, 0.5])
def test_the_gradient_is_the_same_scaled_mask_in_both_libraries(p):
    ours, theirs = pair((40, 30))
    upstream = np.random.default_rng(1).normal(size=(40, 30))
    out = F.dropout(ours, p)
    (out * mlcore.tensor(upstream)).sum().backward()
    expected = torch.nn.functional.dropout(theirs, p)
    (expected * torch.tensor(upstream)).sum().backward()
    for y, x, grad in ((out.data, ours.data, ours.grad),
                       (expected.detach().numpy(), theirs.detach().numpy(), theirs.grad.numpy())):
        np.testing.assert_allclose(grad, upstream * (y / x), rtol=1e-12)  # y / x is mask / (1 - p)


def test_the_mask_comes_from_mlcores_generator():
    x = mlcore.ones(6, 5)
    mlcore.manual_seed(3)
    first = nn.Dropout(0.5)(x).data
    mlcore.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, first)
    assert not np.array_equal(nn.Dropout(0.5)(x).data, first)
    expected = (np.random.default_rng(3).random((6, 5)) >= 0.5) * 2.0
    np.testing.assert_array_equal(first, expected)


def test_the_layer_follows_train_and_eval_of_its_network():
    net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    x = mlcore.ones(3, 4)
    assert net[1].training
    net.eval()
    assert not net[1].training
    np.testing.assert_array_equal(net(x).data, net[0](x).data)
    net.train()
    assert net[1].training and (net(x).data == 0).any()


def test_repr_matches_torch():
    assert repr(nn.Dropout(0.25)) == repr(torch.nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"
    assert repr(nn.Sequential(nn.Dropout())) == repr(torch.nn.Sequential(torch.nn.Dropout()))


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True, float("nan")])
def test_a_probability_outside_zero_to_one_is_refused_with_what_p_means(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1.*fraction of inputs"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(mlcore.ones(2), p)


def test_in_place_and_a_non_tensor_and_a_bad_mode_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match="inplace=True.*Leave inplace at False"):
        nn.Dropout(0.5, inplace=True)
    with pytest.raises(TypeError, match=r"dropout\(\) expects `input` to be an mlcore.Tensor.*mlcore.tensor"):
        F.dropout(np.ones(3), 0.5)
    with pytest.raises(TypeError, match="training=.*self.training"):
        F.dropout(mlcore.ones(3), 0.5, training="yes")
