"""``nn.Flatten``: turn each image into one long row for the Linear layers after it (chapter 8)."""

from .functional._checks import integer, require_tensor
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge dims start_dim..end_dim into one, as ``torch.nn.Flatten`` (keeps the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = integer("start_dim", start_dim)
        self.end_dim = integer("end_dim", end_dim)

    def forward(self, input):
        require_tensor("Flatten", "input", input)
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
