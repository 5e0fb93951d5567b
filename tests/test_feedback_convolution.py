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
import mlcore.cnn
import mlcore.nn.functional as F
from mlcore import nn
from mlcore.feedback import (article_network, cnn_loss, confusion, conv_layers, convolution_loop, flattening,
                             image_batches, pooling)
from mlcore.feedback.chapter08 import (check_accuracy_from_confusion, check_article_net, check_confusion_matrix,
                                       check_conv2d, check_conv_parameters, check_flatten, check_loss_for_digits,
                                       check_max_pool2d, check_max_pool2d_backward, check_output_size,
                                       check_mnist_in_features, check_prepare_batch, check_softmax_floor,
                                       check_training_loss)
from mlcore.feedback.checks import NOT_ANSWERED, CheckFailed, NotAnswered
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")


def failure_free(check, answer):
    """What ``check(answer)`` prints (it must pass)."""
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()) as out:
        check(answer)
    return out.getvalue()


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


def prepare_batch(images):
    return np.moveaxis(images, -1, 1).astype(np.float64) / 255


def softmax_floor(num_classes):
    return -np.log(np.e / (np.e + num_classes - 1))


def build_net_float32(in_channels):
    return build_net(in_channels).float()


def build_net_in_blocks(in_channels):
    blocks = [nn.Sequential(nn.Conv2d(c_in, c_out, 5, padding=2), nn.MaxPool2d(2))
              for c_in, c_out in ((in_channels, 32), (32, 32), (32, 64))]
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


CORRECT = [
    (check_output_size, output_size), (check_conv_parameters, conv_parameters), (check_conv2d, conv2d),
    (check_max_pool2d, max_pool2d), (check_max_pool2d_backward, max_pool2d_backward), (check_flatten, flatten),
    (check_confusion_matrix, confusion_matrix), (check_training_loss, training_loss),
    (check_accuracy_from_confusion, accuracy_from_confusion), (check_loss_for_digits, " Cross_Entropy "),
    (check_softmax_floor, softmax_floor), (check_article_net, build_net),
    (check_article_net, build_net_float32), (check_article_net, build_net_in_blocks),
    (check_mnist_in_features, 64 * 3 * 3), (check_prepare_batch, prepare_batch),
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


def test_the_softmax_choice_reports_the_shared_misconception_name():
    with pytest.raises(CheckFailed) as raised:
        check_loss_for_digits("softmax_then_cross_entropy")
    assert raised.value.misconception == cnn_loss.SOFTMAX_BEFORE_CROSS_ENTROPY


# ---- the common slips the review of chapter 8 listed, as a learner writes them ----------------

def test_true_division_in_the_size_formula_is_named():
    def divides(h, k, p, s):
        return (h + 2 * p - k) / s + 1

    assert named(check_output_size, divides) == "true division / instead of floor division //"


def test_a_bias_per_kernel_slice_or_per_input_channel_is_named():
    def bias_per_slice(in_channels, out_channels, kernel_size, out_height, out_width):
        return out_channels * in_channels * (kernel_size * kernel_size + 1)

    def bias_per_input(in_channels, out_channels, kernel_size, out_height, out_width):
        return out_channels * in_channels * kernel_size ** 2 + in_channels

    assert named(check_conv_parameters, bias_per_slice) == "a bias per kernel slice (per input channel of each kernel)"
    assert named(check_conv_parameters, bias_per_input) == "a bias per input channel"


def test_the_sum_over_input_channels_forgotten_is_named():
    def overwrites(x, w, b, stride=1, padding=0):
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        n, c, h, width = x.shape
        c_out, _, k, _ = w.shape
        y = np.zeros((n, c_out, (h - k) // stride + 1, (width - k) // stride + 1))
        for image in range(n):
            for o in range(c_out):
                for i in range(y.shape[2]):
                    for j in range(y.shape[3]):
                        for ch in range(c):
                            window = x[image, ch, i * stride:i * stride + k, j * stride:j * stride + k]
                            y[image, o, i, j] = np.sum(window * w[o, ch]) + b[o]   # = where += was meant
        return y

    def first_channel(x, w, b, stride=1, padding=0):
        return conv2d(x[:, :1], w[:, :1], b, stride, padding)

    assert named(check_conv2d, overwrites).startswith(convolution_loop.INPUT_CHANNELS_NOT_SUMMED + " (each channel")
    assert named(check_conv2d, first_channel) == convolution_loop.INPUT_CHANNELS_NOT_SUMMED + " (only the first one used)"


def test_the_maximum_across_windows_is_named():
    def wrong_axes(x, k):
        n, c, h, w = x.shape
        return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).max(axis=(2, 4))

    assert named(check_max_pool2d, wrong_axes).startswith("the maximum taken across windows")


def test_the_last_maximum_and_a_swapped_unravel_are_named():
    def route(x, grad_out, k, pick):
        grad = np.zeros_like(x)
        for a, ch, i, j in np.ndindex(*grad_out.shape):
            window = x[a, ch, i * k:(i + 1) * k, j * k:(j + 1) * k]
            u, v = pick(window)
            grad[a, ch, i * k + u, j * k + v] += grad_out[a, ch, i, j]
        return grad

    def last_maximum(x, grad_out, k):
        def pick(window):
            best = (0, 0)
            for u, v in np.ndindex(*window.shape):
                if window[u, v] >= window[best]:
                    best = (u, v)
            return best
        return route(x, grad_out, k, pick)

    def swapped(x, grad_out, k):
        return route(x, grad_out, k, lambda window: (np.argmax(window) % k, np.argmax(window) // k))

    assert named(check_max_pool2d_backward, last_maximum) == "the last maximum of a tie given the gradient"
    assert named(check_max_pool2d_backward, swapped) == "row and column swapped when unravelling the argmax"


def test_flatten_that_keeps_the_channels_is_named():
    def per_channel(x):
        n, c = x.shape[:2]
        return x.reshape(n, c, -1)

    assert named(check_flatten, per_channel) == "the channels kept as an axis: reshape(N, C, -1)"


def test_the_accuracy_as_a_percentage_is_named():
    def percent(M):
        return 100 * np.trace(M) / M.sum()

    assert named(check_accuracy_from_confusion, percent) == "the accuracy as a percentage (90 instead of 0.9)"


def test_the_loss_of_every_sample_is_named_and_told_to_average():
    def per_sample(logits, y):
        return F.cross_entropy(mlcore.tensor(logits), mlcore.tensor(y), reduction="none").numpy()

    assert named(check_training_loss, per_sample) == "the loss of every sample, not their mean (reduction='none')"
    assert "reduction='none' gives a vector" in failure(check_training_loss, per_sample)


@pytest.mark.parametrize("value,name", [
    (1024, "7 / 2 rounded up to 4 (or the 32 x 32 network's 1024 kept)"),
    (64 * 3.5 * 3.5, "the pixels of the image, or 64 x 3.5 x 3.5 without rounding"),
    (288, "32 channels instead of the last convolution's 64"),
    (3136, "one pooling too few: 64 x 7 x 7"),
    (0, conv_layers.PADDING_FORGOTTEN + " (28 -> 24 -> 12 -> 8 -> 4 -> 0)"),
])
def test_wrong_predictions_of_the_28_pixel_network_are_named(value, name):
    assert named(check_mnist_in_features, value) == name


@pytest.mark.parametrize("check", [check_mnist_in_features, check_loss_for_digits])
def test_a_value_left_at_none_is_not_answered_in_one_line(check):
    # The student version assigns None above the solution region, so the name exists.
    with pytest.raises(NotAnswered) as raised:
        check(None)
    assert raised.value._render_traceback_() == [f"\N{BALLOT X} {NOT_ANSWERED}"]


def test_the_prediction_is_what_the_network_needs_for_28_pixel_images():
    shapes = [shape for _, shape, _ in mlcore.cnn.layer_shapes(build_net(1)[:7], (1, 1, 28, 28))]
    assert shapes[-1] == (1, conv_layers.MNIST_IN_FEATURES) == (1, 576)


def test_the_channels_last_bugs_of_prepare_batch_are_named():
    def as_in_the_exercise(images):               # the bug the exercise shows
        n, h, w, c = images.shape
        return images.reshape(n, c, h, w) / 255.0

    def swapped(images):
        return images.transpose(0, 3, 2, 1) / 255.0

    def integer_division(images):
        return images.transpose(0, 3, 1, 2) // 255

    assert named(check_prepare_batch, as_in_the_exercise) == image_batches.RESHAPED_NOT_TRANSPOSED
    assert named(check_prepare_batch, swapped) == "height and width swapped: transpose(0, 3, 2, 1)"
    assert named(check_prepare_batch, integer_division).startswith("floor division // 255")


@pytest.mark.parametrize("images", [case[0] for case in image_batches.BATCH_CASES + image_batches.batch_cases(8)])
def test_the_prepare_batch_reference_is_torchs_permute(images):
    expected = torch.from_numpy(images).permute(0, 3, 1, 2).double() / 255
    np.testing.assert_array_equal(image_batches.reference_prepare_batch(images), expected.numpy())


# ---- the other answers ----------------------------------------------------------------------

def floor_of(value):
    def answer(num_classes):
        return value(num_classes)
    return answer


@pytest.mark.parametrize("answer,name", [
    (lambda c: 0.0, "the extra softmax changes nothing (the loss can still reach 0)"),
    (lambda c: np.log(c), "log C, the loss of a uniform guess"),
    (lambda c: 1.0, "-log(1 / e) = 1: the true class's probability taken as 1 / e"),
    (lambda c: np.log(np.e + c - 1), "the -log e forgotten: log(e + C - 1) (2.4612 for ten classes)"),
    (lambda c: -np.log(np.e / (np.e + c)), "the sum taken as e + C (the true class counted again among the ones)"),
    (lambda c: 1.4612, "the value for ten classes, whatever num_classes"),
], ids=["zero", "log C", "one", "log e forgotten", "e + C", "ten classes"])
def test_wrong_floors_are_named(answer, name):
    # 1.4612, typed from the chapter's four decimals, is the ten-class value to 1e-5: named as such.
    assert named(check_softmax_floor, floor_of(answer)) == name


def test_the_floor_checks_several_class_counts_and_the_check_value_message_has_no_case():
    assert "correct on all 4 cases" in failure_free(check_softmax_floor, softmax_floor)


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

    def with_gelu(in_channels):
        return nn.Sequential(*build_net(in_channels)[:7], nn.Linear(1024, 64), nn.GELU(), nn.Linear(64, 10))

    assert named(check_article_net, with_relu) == article_network.ACTIVATION_ADDED
    if hasattr(nn, "GELU"):
        assert named(check_article_net, with_gelu) == article_network.ACTIVATION_ADDED
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


def test_a_wrong_network_reports_its_misconception_and_its_layers_to_the_class_report():
    def no_padding(in_channels):
        return nn.Sequential(*(nn.Conv2d(layer.in_channels, layer.out_channels, 5) if isinstance(layer, nn.Conv2d)
                               else layer for layer in build_net(in_channels)))

    with pytest.raises(CheckFailed) as raised:
        check_article_net(no_padding)
    assert raised.value.misconception == conv_layers.PADDING_FORGOTTEN
    assert raised.value.counterexample.startswith("build_net(1) has the layers: Conv2d(1, 32, (5, 5), (1, 1), (0, 0))")


def test_the_network_the_check_compares_with_is_torchs_network():
    ours, theirs = article_network.article_cnn(1), article_network.article_cnn(1, lib=torch.nn)
    theirs.load_state_dict({name: torch.from_numpy(value) for name, value in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 1, 32, 32))
    with mlcore.no_grad():
        np.testing.assert_allclose(ours(mlcore.tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(),
                                   rtol=RTOL64, atol=1e-12)
