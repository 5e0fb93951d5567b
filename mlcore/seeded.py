"""A block with its own seed, without moving the notebook's random numbers (chapter 7).

A panel or an exercise check that builds a network draws its initial weights
from mlcore's one generator. Seeding that generator (``mlcore.manual_seed``)
makes the network repeatable, but would also change every random number the
notebook draws after it. :func:`seeded` seeds it for one block and then puts
the generator's previous state back.
"""

import contextlib

from . import factories

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
