"""The feedback of chapter 8's exercise checks (convolutions, pooling, flatten, the articles' network,
confusion matrices, the loss).

- Each misconception issue 16 lists is written here the way a learner would
  write it, and the check must name it: padding forgotten in the size formula,
  the kernel flipped, the pool gradient spread to every element, channels-last
  against channels-first, the bias counted once per position, the softmax
  applied before CrossEntropyLoss.
- That every registered variant is recognised as itself, and that the
  registered right answers pass on the visible and the hidden cases, is
  tests/test_feedback.py's, for every chapter; answers written here as
  learners write them (loops, other formulas) pass in one line.
- The references agree with PyTorch (and scikit-learn for the confusion matrix).
"""

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

import mlcore
from mlcore import nn
from mlcore.feedback import article_network, cnn_loss, confusion, conv_layers, convolution_loop, flattening, pooling
from mlcore.feedback.chapter08 import (check_accuracy_from_confusion, check_article_net, check_confusion_matrix,
                                       check_conv2d, check_conv_parameters, check_flatten, check_loss_for_digits,
                                       check_max_pool2d, check_max_pool2d_backward, check_output_size,
                                       check_softmax_floor, check_training_loss)
from mlcore.feedback.checks import CheckFailed
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


def assert_passes_in_one_line(check, answer, capsys):
    check(answer)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("\N{CHECK MARK}"), lines


# ---- correct answers, written as learners write them ---------------------------------------

def output_size(h, k, p, s):
    return int(np.floor((h + 2 * p - k) / s)) + 1


def conv_parameters(in_channels, out_channels, kernel_size, out_height, out_width):
    weights = out_channels * in_channels * kernel_size * kernel_size
    return weights + out_channels


def conv2d(x, w, b, stride=1, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, width = x.shape
    c_out, _, k, _ = w.shape
    y = np.zeros((n, c_out, (h - k) // stride + 1, (width - k) // stride + 1))
    for image in range(n):
        for o in range(c_out):
            for i in range(y.shape[2]):
                for j in range(y.shape[3]):
                    window = x[image, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    y[image, o, i, j] = np.sum(window * w[o]) + b[o]
    return y


def max_pool2d(x, k):
    n, c, h, w = x.shape
    out = np.zeros((n, c, h // k, w // k))
    for i in range(h // k):
        for j in range(w // k):
            out[:, :, i, j] = x[:, :, i * k:(i + 1) * k, j * k:(j + 1) * k].max(axis=(2, 3))
    return out


def max_pool2d_backward(x, grad_out, k):
    grad = np.zeros_like(x)
    n, c, h, w = x.shape
    for a in range(n):
        for ch in range(c):
            for i in range(h // k):
                for j in range(w // k):
                    window = x[a, ch, i * k:(i + 1) * k, j * k:(j + 1) * k]
                    u, v = np.unravel_index(np.argmax(window), window.shape)  # the first maximum, row by row
                    grad[a, ch, i * k + u, j * k + v] += grad_out[a, ch, i, j]
    return grad


def flatten(x):
    return np.stack([image.ravel() for image in x])


def build_net(in_channels):
    layers = []
    for c_in, c_out in ((in_channels, 32), (32, 32), (32, 64)):
        layers += [nn.Conv2d(c_in, c_out, kernel_size=5, padding=2), nn.MaxPool2d(kernel_size=2)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10))


def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes))
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def accuracy_from_confusion(M):
    return np.diag(M).sum() / M.sum()


def training_loss(logits, y):
    return nn.CrossEntropyLoss()(mlcore.tensor(logits), mlcore.tensor(y)).item()


CORRECT = [
    (check_output_size, output_size), (check_conv_parameters, conv_parameters), (check_conv2d, conv2d),
    (check_max_pool2d, max_pool2d), (check_max_pool2d_backward, max_pool2d_backward), (check_flatten, flatten),
    (check_confusion_matrix, confusion_matrix), (check_training_loss, training_loss),
    (check_accuracy_from_confusion, accuracy_from_confusion), (check_loss_for_digits, " Cross_Entropy "),
    (check_softmax_floor, -np.log(np.e / (np.e + 9))), (check_article_net, build_net),
]


@pytest.mark.parametrize("check,answer", CORRECT, ids=[check.__name__ for check, _ in CORRECT])
def test_an_answer_written_as_a_learner_writes_it_passes_in_one_line(check, answer, capsys):
    assert_passes_in_one_line(check, answer, capsys)


# ---- the misconceptions of issue 16, as a learner writes them -------------------------------

def test_padding_forgotten_in_the_size_formula_is_named():
    def forgot_padding(h, k, p, s):
        return (h - k) // s + 1

    assert named(check_output_size, forgot_padding) == conv_layers.PADDING_FORGOTTEN
    assert "Smallest failing case: forgot_padding(h=" in failure(check_output_size, forgot_padding)


def test_padding_forgotten_in_the_network_is_named():
    def no_padding(in_channels):
        return nn.Sequential(nn.Conv2d(in_channels, 32, 5), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64),
                             nn.Linear(64, 10))

    assert named(check_article_net, no_padding) == conv_layers.PADDING_FORGOTTEN


def test_the_flipped_kernel_is_named():
    def true_convolution(x, w, b, stride=1, padding=0):
        return conv2d(x, w[:, :, ::-1, ::-1], b, stride, padding)

    assert named(check_conv2d, true_convolution) == convolution_loop.KERNEL_FLIPPED


def test_the_pool_gradient_spread_over_the_window_is_named():
    def spread(x, grad_out, k):
        grad = np.zeros_like(x)
        h, w = x.shape[2] // k * k, x.shape[3] // k * k
        grad[:, :, :h, :w] = grad_out.repeat(k, axis=2).repeat(k, axis=3)
        return grad

    assert named(check_max_pool2d_backward, spread) == pooling.POOL_GRADIENT_SPREAD


def test_channels_last_against_channels_first_is_named_in_flatten_and_in_pooling():
    def pixel_by_pixel(x):
        return x.transpose(0, 2, 3, 1).reshape(x.shape[0], -1)

    def pool_channels_last(x, k):
        n, h, w, c = x.shape  # the shape read as (N, H, W, C)
        x = x[:, :h // k * k, :w // k * k, :]
        return x.reshape(n, h // k, k, w // k, k, c).max(axis=(2, 4))

    assert named(check_flatten, pixel_by_pixel).startswith(pooling.CHANNELS_LAST)
    assert named(check_max_pool2d, pool_channels_last) == pooling.CHANNELS_LAST


def test_the_bias_counted_once_per_position_is_named():
    def bias_everywhere(in_channels, out_channels, kernel_size, out_height, out_width):
        return out_channels * in_channels * kernel_size ** 2 + out_channels * out_height * out_width

    assert named(check_conv_parameters, bias_everywhere) == conv_layers.BIAS_PER_POSITION


def test_the_softmax_before_cross_entropy_is_named_in_the_loss_the_choice_and_the_network():
    def softmax_first(logits, y):
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return nn.CrossEntropyLoss()(mlcore.tensor(p), mlcore.tensor(y)).item()

    class Softmax(nn.Module):
        def forward(self, x):
            return x.softmax(dim=1)

    def ends_in_softmax(in_channels):
        return nn.Sequential(*build_net(in_channels), Softmax())

    assert named(check_training_loss, softmax_first) == cnn_loss.SOFTMAX_BEFORE_CROSS_ENTROPY
    assert cnn_loss.SOFTMAX_BEFORE_CROSS_ENTROPY in failure(check_loss_for_digits, "softmax_then_cross_entropy")
    assert named(check_article_net, ends_in_softmax) == cnn_loss.SOFTMAX_BEFORE_CROSS_ENTROPY


# ---- the other answers ----------------------------------------------------------------------

@pytest.mark.parametrize("answer,name", [
    (0.0, "the extra softmax changes nothing (the loss can still reach 0)"),
    (float(np.log(10.0)), "log 10, the loss of a uniform guess"),
    (1.0, "-log(1 / e) = 1: the true class's probability taken as 1 / e"),
])
def test_wrong_floors_are_named(answer, name):
    assert named(check_softmax_floor, answer) == name


@pytest.mark.parametrize("choice", ["mse", "binary_cross_entropy"])
def test_a_wrong_choice_says_why(choice):
    assert cnn_loss.LOSS_OPTIONS[choice] in failure(check_loss_for_digits, choice)


def test_a_choice_that_is_not_an_option_lists_the_options():
    assert "is not one of the options 'cross_entropy'" in failure(check_loss_for_digits, "hinge")


def layers_in_a_list(in_channels):
    return list(build_net(in_channels))


def test_a_network_with_an_activation_or_another_layer_is_told_what_differs():
    def with_relu(in_channels):
        return nn.Sequential(nn.Conv2d(in_channels, 32, 5, padding=2), nn.ReLU(), *build_net(in_channels)[1:])

    def small_kernels(in_channels):
        net = build_net(in_channels)
        return nn.Sequential(nn.Conv2d(in_channels, 32, 3, padding=1), *net[1:])

    assert named(check_article_net, with_relu) == article_network.ACTIVATION_ADDED
    message = failure(check_article_net, small_kernels)
    assert "Layer 0 is Conv2d(1, 32, (3, 3), (1, 1), (1, 1)); the article's layer 0 is " \
           "Conv2d(1, 32, (5, 5), (1, 1), (2, 2))" in message
    assert "returned a list" in failure(check_article_net, layers_in_a_list)


def test_answers_that_are_not_numbers_cannot_pass():
    class EqualsEverything:
        def __eq__(self, other):
            return True

    def forgets_to_return(h, k, p, s):
        (h + 2 * p - k) // s + 1

    def claims_to_be_right(x):
        return EqualsEverything()

    assert "is None" in failure(check_output_size, forgets_to_return)
    assert "not a number" in failure(check_flatten, claims_to_be_right)


def test_a_function_that_changes_its_input_in_place_cannot_change_the_expected_answer():
    def pool_in_place(x, k):
        out = max_pool2d(x, k)
        x[...] = 0.0
        return out

    check_max_pool2d(pool_in_place)


# ---- the references against PyTorch -----------------------------------------------------------

@pytest.mark.parametrize("h,k,p,s", conv_layers.SIZE_CASES + conv_layers.size_cases(8))
def test_the_size_formula_is_torchs_output_size(h, k, p, s):
    out = torch.nn.functional.conv2d(torch.zeros(1, 1, h, h), torch.zeros(1, 1, k, k), padding=p, stride=s)
    assert out.shape[2] == conv_layers.reference_output_size(h, k, p, s)
    if p <= k // 2:
        assert torch.nn.functional.max_pool2d(torch.zeros(1, 1, h, h), k, s, p).shape[2] == out.shape[2]


@pytest.mark.parametrize("case", conv_layers.PARAMETER_CASES)
def test_the_parameter_count_is_torchs(case):
    in_channels, out_channels, k, _, _ = case
    layer = torch.nn.Conv2d(in_channels, out_channels, k)
    assert sum(p.numel() for p in layer.parameters()) == conv_layers.reference_conv_parameters(*case)


@pytest.mark.parametrize("case", convolution_loop.CONV_CASES + convolution_loop.conv_cases(8))
def test_the_convolution_reference_is_torchs(case):
    x, w, b, stride, padding = case
    expected = torch.nn.functional.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), stride=stride, padding=padding)
    np.testing.assert_allclose(convolution_loop.reference_conv2d(*case), expected.numpy(), rtol=RTOL64, atol=1e-12)


@pytest.mark.parametrize("x,grad_out,k", pooling.POOL_BACKWARD_CASES + pooling.pool_backward_cases(8))
def test_the_pooling_references_are_torchs_forward_and_backward(x, grad_out, k):
    x_t = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.max_pool2d(x_t, k)
    out.backward(torch.from_numpy(grad_out))
    np.testing.assert_array_equal(pooling.reference_max_pool2d(x, k), out.detach().numpy())
    np.testing.assert_array_equal(pooling.reference_max_pool2d_backward(x, grad_out, k), x_t.grad.numpy())


@pytest.mark.parametrize("x", flattening.FLATTEN_CASES + flattening.flatten_cases(8))
def test_the_flatten_reference_is_torchs(x):
    np.testing.assert_array_equal(flattening.reference_flatten(x), torch.nn.Flatten()(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("logits,y", cnn_loss.LOSS_CASES + cnn_loss.loss_cases(8))
def test_the_loss_reference_and_its_softmax_variant_are_torchs(logits, y):
    z, target = torch.from_numpy(logits), torch.from_numpy(y)
    assert cnn_loss.reference_training_loss(logits, y) == pytest.approx(
        torch.nn.functional.cross_entropy(z, target).item(), rel=RTOL64)
    assert cnn_loss._softmax_first(logits, y) == pytest.approx(
        torch.nn.functional.cross_entropy(torch.softmax(z, dim=1), target).item(), rel=RTOL64)


def test_the_softmax_floor_is_what_torch_reaches_for_a_sure_right_network():
    logits = torch.full((1, 10), -1e4)
    logits[0, 3] = 1e4
    loss = torch.nn.functional.cross_entropy(torch.softmax(logits, dim=1), torch.tensor([3]))
    assert loss.item() == pytest.approx(cnn_loss.softmax_floor(10), rel=RTOL64)


@pytest.mark.parametrize("y_true,y_pred,k", confusion.CONFUSION_CASES + confusion.confusion_cases(8))
def test_the_confusion_reference_is_scikit_learns(y_true, y_pred, k):
    np.testing.assert_array_equal(confusion.reference_confusion_matrix(y_true, y_pred, k),
                                  sklearn_confusion_matrix(y_true, y_pred, labels=range(k)))


def test_the_network_the_check_compares_with_is_torchs_network():
    ours, theirs = article_network.article_cnn(1), article_network.article_cnn(1, lib=torch.nn)
    theirs.load_state_dict({name: torch.from_numpy(value) for name, value in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 1, 32, 32))
    with mlcore.no_grad():
        np.testing.assert_allclose(ours(mlcore.tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(),
                                   rtol=RTOL64, atol=1e-12)
