"""The source article's broken loss/gradient pairing, and its fix (chapter 2).

The article trains a linear regression ``y_hat = X @ w`` (targets 2 to 5)
with the "cross-entropy" ``-mean(y * log(y_hat))`` and updates the weights
with ``X.T @ (y_hat - y)``, which is the gradient of half the summed squared
error, not of that loss. These checks hold the learner's gradients against
mlcore's autograd of each loss, and the repaired training loop against the
same loop written with ``mlcore.optim.SGD``.
"""

import numpy as np

from .checks import Misconception, check_choice, check_function, choice_misconceptions
from ..nn import functional as F
from ..nn.parameter import Parameter
from ..optim import SGD
from ..factories import tensor
from .cases import FIT_CASES, WEIGHT_CASES, fit_cases, weight_cases
from .reference import gradient_of
from .registry import exercise
from .unanswered import answered


def _residual(X, w, y):
    return X @ w - y


# ---- the gradient that matches the MSE ------------------------------------------

def reference_mse_weight_grad(X, w, y):
    """d/dw of ``mean((X @ w - y)**2)`` by mlcore's autograd: ``2 / N * X.T @ (X @ w - y)``."""
    return gradient_of(lambda w, X, y: F.mse_loss(tensor(X) @ w, y), w, X, y)


def _article_loss_grad(X, w, y):
    return -X.T @ (y / (X @ w)) / len(y)


MSE_WEIGHT_GRAD_MISCONCEPTIONS = [
    Misconception("the gradient is for the wrong loss (the article's X.T @ (y_hat - y) is the "
                  "gradient of half the summed squared error, not of the MSE)",
                  lambda X, w, y: X.T @ _residual(X, w, y),
                  "The MSE is a mean of squares: its gradient is 2 / N * X.T @ (y_hat - y)."),
    Misconception("the sum was not averaged", lambda X, w, y: 2 * X.T @ _residual(X, w, y),
                  "Divide by the number of samples N."),
    Misconception("the factor 2 is missing (X.T @ (y_hat - y) / N is the gradient of half the MSE)",
                  lambda X, w, y: X.T @ _residual(X, w, y) / len(y),
                  "The derivative of r**2 is 2 * r."),
    Misconception("the sign is wrong", lambda X, w, y: -2 * X.T @ _residual(X, w, y) / len(y),
                  "Use y_hat - y: the gradient points uphill, and the update subtracts it."),
    Misconception("the gradient is for the wrong loss (the article's -mean(y * log(y_hat)))",
                  _article_loss_grad, "This exercise asks for the MSE's gradient."),
    Misconception("the gradient is with respect to the predictions, not the weights",
                  lambda X, w, y: 2 * _residual(X, w, y) / len(y),
                  "Chain rule through y_hat = X @ w: multiply d loss / d y_hat by X.T."),
]


@exercise(answer=reference_mse_weight_grad, misconceptions=MSE_WEIGHT_GRAD_MISCONCEPTIONS,
          hidden_cases=weight_cases)
def check_mse_weight_grad(mse_weight_grad, cases=WEIGHT_CASES):
    """Check ``mse_weight_grad(X, w, y)``, the gradient of the MSE of ``X @ w`` with respect to ``w``."""
    check_function(mse_weight_grad, reference_mse_weight_grad, cases,
                   misconceptions=MSE_WEIGHT_GRAD_MISCONCEPTIONS)


# ---- the gradient that matches the article's loss ----------------------------------

def reference_article_loss_weight_grad(X, w, y):
    """d/dw of the article's ``-mean(y * log(X @ w))`` by mlcore's autograd:
    ``-X.T @ (y / y_hat) / N``."""
    return gradient_of(lambda w, X, y: -(tensor(y) * (tensor(X) @ w).log()).mean(), w, X, y)


ARTICLE_LOSS_GRAD_MISCONCEPTIONS = [
    Misconception("the gradient is for the wrong loss (X.T @ (y_hat - y), as in the article, "
                  "belongs to the squared error)",
                  lambda X, w, y: X.T @ _residual(X, w, y),
                  "The derivative of -y * log(y_hat) with respect to y_hat is -y / y_hat; then "
                  "chain through y_hat = X @ w and average over the N samples."),
    Misconception("the sign is wrong", lambda X, w, y: X.T @ (y / (X @ w)) / len(y),
                  "The loss has a minus sign in front: d/dy_hat of -y * log(y_hat) is -y / y_hat."),
    Misconception("the sum was not averaged", lambda X, w, y: -X.T @ (y / (X @ w)),
                  "The loss is a mean over the N samples: divide by N."),
    Misconception("the gradient is with respect to the predictions, not the weights",
                  lambda X, w, y: -y / (X @ w) / len(y),
                  "Chain rule through y_hat = X @ w: multiply by X.T."),
]


@exercise(answer=reference_article_loss_weight_grad, misconceptions=ARTICLE_LOSS_GRAD_MISCONCEPTIONS,
          hidden_cases=weight_cases)
def check_article_loss_weight_grad(article_loss_weight_grad, cases=WEIGHT_CASES):
    """Check ``article_loss_weight_grad(X, w, y)``, the true gradient of the article's loss."""
    check_function(article_loss_weight_grad, reference_article_loss_weight_grad, cases,
                   misconceptions=ARTICLE_LOSS_GRAD_MISCONCEPTIONS)


# ---- the repair ----------------------------------------------------------------------

FIX_EXPLANATIONS = {
    "a": "the pair would then agree, but -mean(y * log(y_hat)) is no regression loss. It keeps "
         "falling as the predictions grow (-y * log(y_hat) has no minimum), so gradient descent "
         "drives the weights to infinity, and log fails for negative predictions.",
    "b": "the article's update X.T @ (y_hat - y) already belongs to the squared error; make the loss "
         "the MSE and scale its gradient to match (2 / N * X.T @ (y_hat - y)). Loss, model output "
         "and gradient then agree.",
    "c": "clipping hides the nan, but the loss still has no minimum and still is not the "
         "loss whose gradient the update uses.",
    "d": "the weights settle only because the update happens to be the squared error's gradient. "
         "The printed loss is nan or meaningless, so it cannot tell you whether training works.",
}


@exercise(answer="b", misconceptions=choice_misconceptions(FIX_EXPLANATIONS, "b"))
def check_article_fix(answer):
    """Check the answer (a letter) to: how should the article's regression be repaired? (None: not answered yet.)"""
    check_choice(answered(answer), "b", name="article_fix", explanations=FIX_EXPLANATIONS)


def reference_fit_linear_regression(X, y, lr, num_epochs):
    """Full-batch gradient descent on the MSE from ``w = 0``, with mlcore's autograd and SGD."""
    w = Parameter(np.zeros(np.shape(X)[1]))
    optimizer = SGD([w], lr=lr)
    inputs = tensor(X)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        F.mse_loss(inputs @ w, y).backward()
        optimizer.step()
    return w.data


def _descend(gradient, sign=1.0):
    def fit(X, y, lr, num_epochs):
        w = np.zeros(np.shape(X)[1])
        for _ in range(num_epochs):
            w = w - sign * lr * gradient(X, w, y)
        return w
    return fit


FIT_MISCONCEPTIONS = [
    Misconception("the gradient is for the wrong loss (the article's X.T @ (y_hat - y), without 2 / N)",
                  _descend(lambda X, w, y: X.T @ _residual(X, w, y)),
                  "Use the gradient of the MSE, 2 / N * X.T @ (y_hat - y) (your mse_weight_grad)."),
    Misconception("the factor 2 is missing (X.T @ (y_hat - y) / N is the gradient of half the MSE)",
                  _descend(lambda X, w, y: X.T @ _residual(X, w, y) / len(y)),
                  "The MSE's gradient is 2 / N * X.T @ (y_hat - y)."),
    Misconception("the gradient is for the wrong loss (the article's cross-entropy)",
                  _descend(_article_loss_grad),
                  "Train with the MSE's gradient."),
    Misconception("the step went uphill (w + lr * grad)",
                  _descend(lambda X, w, y: 2 * X.T @ _residual(X, w, y) / len(y), sign=-1.0),
                  "The gradient points uphill; step against it: w = w - lr * grad."),
    Misconception("the weights never changed",
                  lambda X, y, lr, num_epochs: np.zeros(np.shape(X)[1]),
                  "Assign the update back to w in every epoch (w = w - lr * grad)."),
]


@exercise(answer=reference_fit_linear_regression, misconceptions=FIT_MISCONCEPTIONS,
          hidden_cases=fit_cases)
def check_fit_linear_regression(fit_linear_regression, cases=FIT_CASES):
    """Check ``fit_linear_regression(X, y, lr, num_epochs)`` against the same loop with mlcore's SGD."""
    check_function(fit_linear_regression, reference_fit_linear_regression, cases,
                   misconceptions=FIT_MISCONCEPTIONS)
