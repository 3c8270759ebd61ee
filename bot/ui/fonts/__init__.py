"""The one typeface drawn into images (progress card, stats chart): DejaVu Sans, which has every letter of
English, Spanish and German (Pillow's built-in font draws é, ñ, ü and ß as boxes). Licence: LICENSE here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

TYPEFACE = Path(__file__).with_name("DejaVuSans.ttf")


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(TYPEFACE, size)
