"""Architectures written once for both libraries: ``lib`` is ``mlcore.nn`` or ``torch.nn``."""

from mlcore.cnn import article_cnn


def cifar_net(lib):
    """Chapter 8's CIFAR-10 network (COURSE.md section 7): three 5x5 convolutions (32, 32, 64
    channels, padding 2), each followed by 2x2 max-pooling, then Linear 1024 -> 64 -> 10."""
    return article_cnn(3, lib=lib)
