"""Identicons: a symmetric 5×5 pattern and a colour drawn from a comment's avatar hash.

The avatar is made here from a keyed hash, so no reader's browser ever asks another server
(Gravatar would learn who reads what) and the picture does not reveal the e-mail address.
"""

from __future__ import annotations

import colorsys
import hashlib

GRID = 5
CELL = 8
MARGIN = 4


def identicon_svg(seed: str) -> str:
    """An SVG identicon for ``seed``; the same seed always gives the same picture."""
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.55)
    colour = f"#{int(red * 255):02x}{int(green * 255):02x}{int(blue * 255):02x}"
    size = GRID * CELL + 2 * MARGIN
    cells = []
    for row in range(GRID):
        for column in range((GRID + 1) // 2):
            if digest[1 + row * 3 + column] % 2:
                continue
            for x in {column, GRID - 1 - column}:
                cells.append(
                    f'<rect x="{MARGIN + x * CELL}" y="{MARGIN + row * CELL}" '
                    f'width="{CELL}" height="{CELL}"/>'
                )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="#f0f1f4"/>'
        f'<g fill="{colour}">{"".join(cells)}</g></svg>'
    )
