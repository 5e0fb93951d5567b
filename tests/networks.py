"""Network architectures written once for both libraries: ``lib`` is ``mlcore.nn`` or ``torch.nn``."""


def cifar_net(lib):
    """Chapter 8's CIFAR-10 network (COURSE.md section 7): three 5x5 convolutions (32, 32, 64
    channels, padding 2), each followed by 2x2 max-pooling, then Linear 1024 -> 64 -> 10."""
    return lib.Sequential(
        lib.Conv2d(3, 32, 5, padding=2), lib.MaxPool2d(2),
        lib.Conv2d(32, 32, 5, padding=2), lib.MaxPool2d(2),
        lib.Conv2d(32, 64, 5, padding=2), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(1024, 64), lib.Linear(64, 10),
    )
