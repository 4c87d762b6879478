"""Generated placeholder photos for demo listings (no network, no bundled binaries)."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

SIZE = (960, 640)
PALETTE = [
    ((244, 162, 97), (231, 111, 81)),
    ((42, 157, 143), (38, 70, 83)),
    ((233, 196, 106), (244, 162, 97)),
    ((131, 56, 236), (58, 134, 255)),
    ((255, 0, 110), (251, 86, 7)),
    ((6, 214, 160), (17, 138, 178)),
]


def placeholder_photo(label: str, index: int) -> ContentFile:
    """A gradient 'photo' with a simple house drawn on it and the listing's city as caption."""
    top, bottom = PALETTE[index % len(PALETTE)]
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(SIZE[1]):
        t = y / SIZE[1]
        draw.line(
            [(0, y), (SIZE[0], y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    # a house: body, roof, door
    draw.rectangle([360, 300, 600, 500], fill=(255, 255, 255))
    draw.polygon([(330, 300), (480, 180), (630, 300)], fill=(38, 38, 38))
    draw.rectangle([455, 400, 505, 500], fill=top)
    draw.text((40, 580), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return ContentFile(buffer.getvalue(), name=f"demo-{index}.jpg")
