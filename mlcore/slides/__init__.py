"""Lecture decks of the chapters: static reveal.js slides that work offline.

``python -m mlcore.slides`` (``make slides``) writes one deck per chapter to
``build/slides/``. For live slides with moving panels, open a chapter in
JupyterLab and start jupyterlab-slideshow instead (command palette: "Start
Deck"); both read the same ``slideshow`` cell metadata.

Imports nbconvert, so ``import mlcore`` does not import this package.
"""

from .deck import build_deck

__all__ = ["build_deck"]
