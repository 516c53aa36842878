"""Images for the image tests and benchmarks/image_cost.py, made with Pillow:
photo-like JPEGs and PNGs (soft shapes, gradients, texture and sensor-like
noise, so that they weigh what camera pictures weigh), an animated GIF and
an SVG; and a post that shows them."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from support import write_post

# The fixture post: its slug, and its images (name, width, height) beside it.
SLUG = "photos"
URL = f"posts/{SLUG}/"
PHOTOS = (("harbour.jpg", 4000, 3000), ("market.jpg", 3000, 4000),
          ("street.png", 2400, 1600), ("small.jpg", 500, 375))
GIF = ("spinner.gif", 240, 160)
SVG = ("diagram.svg", 320, 200)
# About 100 words a paragraph, so that the images sit in prose as in a post.
PARAGRAPH = ("The light came in low over the water and every boat in the harbour "
             "turned the same way, as if the wind had asked them to. ") * 4


def photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """A picture that compresses like a photograph: blurred shapes over
    crossed gradients, a mid-scale texture, and fine noise."""
    rng = random.Random(seed)
    small = (max(width // 8, 8), max(height // 8, 8))
    channels = [Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(small)
                for _ in range(3)]
    base = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(base)
    for _ in range(30):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        radius = rng.randrange(small[0] // 40 + 1, small[0] // 6 + 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(small[0] / 200)).resize((width, height),
                                                                        Image.BICUBIC)
    texture = _noise((max(width // 6, 1), max(height // 6, 1)), rng).resize((width, height),
                                                                            Image.BICUBIC)
    grain = _noise((width, height), rng)
    return Image.blend(Image.blend(base, texture, 0.18), grain, 0.08)


def _noise(size: tuple[int, int], rng: random.Random) -> Image.Image:
    grey = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return Image.merge("RGB", [grey] * 3)


def animated_gif(path: Path, width: int, height: int, frames: int = 6) -> None:
    """A small looping GIF: a dot going round."""
    pictures = []
    for frame in range(frames):
        picture = Image.new("P", (width, height), 0)
        picture.putpalette([255, 255, 255, 30, 30, 30] + [0] * 762)
        x = width // 4 + frame * width // (2 * frames)
        ImageDraw.Draw(picture).ellipse((x, height // 3, x + height // 3, 2 * height // 3), fill=1)
        pictures.append(picture)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=120, loop=0)


def svg(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" '
            f'fill="#eee"/><path d="M10 {height - 10} L{width // 2} 10 L{width - 10} '
            f'{height - 20}" stroke="#333" stroke-width="4" fill="none"/></svg>')


def write_images(folder: Path) -> None:
    """The fixture's images, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (name, width, height) in enumerate(PHOTOS):
        picture = photo(width, height, seed)
        if name.endswith(".png"):
            picture.save(folder / name)
        else:
            picture.save(folder / name, quality=92)
    animated_gif(folder / GIF[0], GIF[1], GIF[2])
    (folder / SVG[0]).write_text(svg(SVG[1], SVG[2]), encoding="utf-8")


def image_post(project: Path) -> Path:
    """The fixture post with every image, the first before any text (the
    largest thing in the first screen, as in many posts), each next one
    after a paragraph."""
    write_images(project / "docs" / "posts" / "images")
    names = [name for name, _, _ in PHOTOS] + [GIF[0], SVG[0]]
    body = "\n\n".join(f"![A picture called {name}](images/{name})\n\n{PARAGRAPH}"
                       for name in names)
    return write_post(project, SLUG, "title: Photos from the harbour\n"
                      "description: Four photographs, an animation and a diagram.\n"
                      "date: 2026-05-01\nslug: photos\ntags: [photos]", body)
