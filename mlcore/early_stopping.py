"""Early stopping on the validation loss, keeping the best weights (chapter 7).

After every epoch the validation loss is compared with the best one so far.
An improvement saves a copy of the weights; ``patience`` epochs in a row
without one end training. The weights to keep are the saved ones, from the
best epoch, not the last: by the time training stops, the network has spent
``patience`` epochs getting worse on the validation data.
"""

import math
import numbers

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Watch the validation loss; ``step`` says when to stop, ``restore`` brings back the best weights.

    ``step(val_loss, net)`` is called once per epoch (epochs count from 1).
    A loss below ``best_loss - min_delta`` is an improvement: it becomes
    ``best_loss``, its epoch ``best_epoch``, and ``net.state_dict()`` (a copy)
    ``best_state``. ``step`` returns True once ``patience`` epochs in a row
    brought no improvement (as Keras's ``EarlyStopping(patience=...)``).
    """

    def __init__(self, patience=5, min_delta=0.0):
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience is a number of epochs, a whole number >= 1, got {patience!r}.")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) or min_delta < 0:
            raise ValueError(f"min_delta is the smallest decrease that counts as an improvement, a number "
                             f">= 0, got {min_delta!r}.")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.epoch = 0
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_state = None
        self.epochs_without_improvement = 0

    def step(self, val_loss, net):
        """Record the validation loss of one more epoch; True when training should stop."""
        self.epoch += 1
        val_loss = float(val_loss)
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = net.state_dict()
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

    def restore(self, net):
        """Load the weights of the best epoch into ``net``."""
        if self.best_state is None:
            raise RuntimeError("no weights to restore: step() has not yet seen a finite validation loss.")
        net.load_state_dict(self.best_state)
        return net

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, best_epoch={self.best_epoch}, "
                f"best_loss={self.best_loss:.4g})")
