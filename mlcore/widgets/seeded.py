"""Random numbers of a panel's own, without moving the notebook's (chapter 7's training panels).

A panel that builds a network draws its initial weights from mlcore's one
generator. Seeding that generator for the panel (``mlcore.manual_seed``)
makes the panel repeatable, but would also change every random number the
notebook draws after it. :func:`seeded` seeds it for one block and then puts
the generator's previous state back.
"""

import contextlib

from .. import factories

__all__ = ["seeded"]


@contextlib.contextmanager
def seeded(seed):
    """Run the block with ``mlcore.manual_seed(seed)``, then restore mlcore's generator to where it was."""
    saved = factories.generator().bit_generator.state
    factories.manual_seed(seed)
    try:
        yield
    finally:
        factories.generator().bit_generator.state = saved
