"""The one-variable functions of chapter 4's panels, each with its derivative (chapter 4).

The chain-rule panel composes two of them and the finite-difference panel
differentiates one numerically, so both need the exact derivative to compare
with. ``sin`` is not an mlcore operation, so the table is numpy; the panel
tests hold every derivative against PyTorch's autograd.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["FUNCTIONS", "ScalarFunction"]


def _sigmoid(u):
    # 1 / (1 + e^-u) overflows for very negative u; this form never does.
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0, e) / (1.0 + e)


@dataclass(frozen=True)
class ScalarFunction:
    """``f`` and its derivative ``df`` (numpy, elementwise), with how to write them: ``of(u)`` is
    ``f(u)`` as text, ``derivative_of(u)`` is ``f'(u)`` as text."""

    f: object
    df: object
    formula: str
    derivative: str

    def of(self, u):
        return self.formula.format(u)

    def derivative_of(self, u):
        return self.derivative.format(u)


FUNCTIONS = {
    "square": ScalarFunction(np.square, lambda u: 2 * u, "{}²", "2·{}"),
    "sin": ScalarFunction(np.sin, np.cos, "sin({})", "cos({})"),
    "exp": ScalarFunction(np.exp, np.exp, "exp({})", "exp({})"),
    "sigmoid": ScalarFunction(_sigmoid, lambda u: _sigmoid(u) * (1 - _sigmoid(u)), "σ({})",
                              "σ({0})·(1 − σ({0}))"),
    "tanh": ScalarFunction(np.tanh, lambda u: 1 - np.tanh(u) ** 2, "tanh({})", "1 − tanh²({})"),
}
