"""Compare screenshots pixel by pixel (Pillow)."""

import io

from PIL import Image, ImageChops


def _rgb(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def changed_pixels(before: bytes, after: bytes) -> int:
    """How many pixels differ between two PNG screenshots. Screenshots of
    different sizes count as entirely changed (the element was resized)."""
    first, second = _rgb(before), _rgb(after)
    if first.size != second.size:
        return max(first.width * first.height, second.width * second.height)
    # A pixel is unchanged only where all three channels are equal, i.e. where
    # the per-pixel sum of channel differences is zero.
    difference = ImageChops.difference(first, second)
    red, green, blue = difference.split()
    total = ImageChops.add(ImageChops.add(red, green), blue)
    return first.width * first.height - total.histogram()[0]


def distinct_colours(png: bytes) -> int:
    """How many different colours a screenshot has; 1 means it is blank."""
    colours = _rgb(png).getcolors(maxcolors=1 << 24)
    return len(colours)
