"""``nn.Sequential``: layers applied one after the other (chapters 5 and 7)."""

from collections import OrderedDict

from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """Feed the input through each layer in turn, as ``torch.nn.Sequential``.

    ``Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))`` names its
    layers "0", "1", "2" (so parameters are "0.weight", "0.bias", ...); pass an
    OrderedDict to choose the names. Indexing, slicing, ``len`` and iteration
    work as on a list.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            for name, layer in layers[0].items():
                self.add_module(name, _check_layer(layer, name))
        else:
            for index, layer in enumerate(layers):
                self.add_module(str(index), _check_layer(layer, index))

    def forward(self, input):
        for layer in self._modules.values():
            input = layer(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        layers = list(self._modules.values())
        try:
            return layers[index]
        except IndexError:
            raise IndexError(
                f"index {index} is out of range for a Sequential of {len(layers)} layers."
            ) from None

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, layer):
        """Add `layer` at the end and return this Sequential."""
        self.add_module(str(len(self)), _check_layer(layer, len(self)))
        return self


def _check_layer(layer, position):
    if isinstance(layer, Module):
        return layer
    if isinstance(layer, type) and issubclass(layer, Module):
        raise TypeError(
            f"Sequential got the class {layer.__name__} at position {position}, not a layer: "
            f"create one with its sizes, e.g. nn.{layer.__name__}(...), with parentheses."
        )
    if isinstance(layer, (list, tuple)):
        raise TypeError(
            "Sequential takes the layers as separate arguments, not one list: write "
            "nn.Sequential(*layers) instead of nn.Sequential(layers)."
        )
    raise TypeError(
        f"Sequential expects nn.Module layers, but got {type(layer).__name__} at position "
        f"{position}."
    )
