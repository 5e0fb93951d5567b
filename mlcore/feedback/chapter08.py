"""Every check the exercises of chapter 8 (a convolutional network) call, in one place.

A test cell of ``exercises/08_convolutional_network.ipynb`` reads
``from mlcore.feedback.chapter08 import check_output_size`` and
``check_output_size(output_size)``. The checks live by topic in
:mod:`~mlcore.feedback.conv_layers`, :mod:`~mlcore.feedback.convolution_loop`,
:mod:`~mlcore.feedback.pooling`, :mod:`~mlcore.feedback.flattening`,
:mod:`~mlcore.feedback.article_network`, :mod:`~mlcore.feedback.confusion`,
:mod:`~mlcore.feedback.cnn_loss` and :mod:`~mlcore.feedback.image_batches`, each with its hidden-case generator.
"""

from .article_network import check_article_net
from .cnn_loss import check_loss_for_digits, check_softmax_floor, check_training_loss
from .confusion import check_accuracy_from_confusion, check_confusion_matrix
from .conv_layers import check_conv_parameters, check_mnist_in_features, check_output_size
from .convolution_loop import check_conv2d
from .flattening import check_flatten
from .image_batches import check_prepare_batch
from .pooling import check_max_pool2d, check_max_pool2d_backward

__all__ = [
    "check_output_size", "check_conv_parameters", "check_conv2d", "check_max_pool2d",
    "check_max_pool2d_backward", "check_flatten", "check_article_net", "check_confusion_matrix",
    "check_accuracy_from_confusion", "check_training_loss", "check_loss_for_digits", "check_softmax_floor",
    "check_mnist_in_features", "check_prepare_batch",
]
