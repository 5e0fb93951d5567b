"""``python -m mlcore.slides``: build an offline reveal.js deck of every chapter."""

import argparse
import sys
from pathlib import Path

from .deck import build_deck


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlcore.slides",
        description="Build offline reveal.js decks (one .slides.html per notebook).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to convert (default: every chapters/*.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("build/slides"),
                        help="folder for the decks and their scripts (default: build/slides)")
    parser.add_argument("--execute", action="store_true",
                        help="run each notebook first (for notebooks stored without outputs)")
    args = parser.parse_args(argv)

    notebooks = args.notebooks or sorted(Path("chapters").glob("*.ipynb"))
    if not notebooks:
        parser.error("no notebooks given and none in ./chapters; run this from the course's "
                     "folder or name the notebooks to convert")
    for notebook in notebooks:
        deck = build_deck(notebook, args.out, execute=args.execute)
        print(f"{notebook} -> {deck}")
    print(f"Open a deck in a browser; it loads everything from {args.out / 'vendor'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
