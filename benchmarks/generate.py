"""A synthetic blog for the benchmarks: N posts of 300-2,000 words of prose,
with headings, a code block in some, a local image in some, 3-5 tags from a
pool of 40 and dates spread over several years. Deterministic for a given
N and seed, so that every run and both builds see the same posts."""

from __future__ import annotations

import datetime
import random
import struct
import zlib
from pathlib import Path

# Common English words, so that prose reads like prose to the Markdown
# parser, the word counter and the search indexer.
WORDS = """the of and to in is that it was for on are as with they be at one have
this from by hot word but what some we can out other were all there when up
use your how said an each she which do their time if will way about many then
them write would like so these her long make thing see him two has look more
day could go come did number sound no most people my over know water than call
first who may down side been now find any new work part take get place made
live where after back little only round man year came show every good me give
our under name very through just form sentence great think say help low line
differ turn cause much mean before move right boy old too same tell does set
three want air well also play small end put home read hand port large spell add
even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self
earth father head stand own page should country found answer school grow study
still learn plant cover food sun four between state keep eye never last let
thought city tree cross farm hard start might story saw far sea draw left late
run while press close night real life few north open seem together next white
children begin got walk example ease paper group always music those both mark
often letter until mile river car feet care second book carry took science eat
room friend began idea fish mountain stop once base hear horse cut sure watch
color face wood main enough plain girl usual young ready above ever red list
though feel talk bird soon body dog family direct pose leave song measure door
product black short numeral class wind question happen complete ship area half
rock order fire south problem piece told knew pass since top whole king space
heard best hour better true during hundred five remember step early hold west
ground interest reach fast verb sing listen six table travel less morning ten
simple several vowel toward war lay against pattern slow center love person
money serve appear road map rain rule govern pull cold notice voice unit power
town fine certain fly fall lead cry dark machine note wait plan figure star box
noun field rest correct able pound done beauty drive stood contain front teach
week final gave green oh quick develop ocean warm free minute strong special
mind behind clear tail produce fact street inch multiply nothing course stay
wheel full force blue object decide surface deep moon island foot system busy
test record boat common gold possible plane stead dry wonder laugh thousand ago
ran check game shape equate miss brought heat snow tire bring yes distant fill
east paint language among model image video memory network signal market price
""".split()

TAGS = [
    "ai", "models", "images", "video", "search", "markets", "chips", "energy",
    "policy", "research", "startups", "open-source", "benchmarks", "agents",
    "robotics", "privacy", "security", "cloud", "mobile", "web", "design",
    "writing", "books", "math", "physics", "biology", "climate", "space",
    "history", "economics", "education", "health", "law", "media", "music",
    "games", "maps", "language", "memory", "tools",
]
FIRST = datetime.date(2019, 1, 1)
DAYS = 7 * 365  # 2019 to the end of 2025: never in the future
CODE = '''```python
def {name}(items):
    """Return the {word} items, newest first."""
    kept = [item for item in items if item.{word}]
    return sorted(kept, key=lambda item: item.date, reverse=True)
```'''
IMAGE = "images/bench.png"


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 22))
    text = " ".join(words)
    if rng.random() < 0.15:
        cut = rng.randint(2, len(words) - 2)
        text = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        line = sentence(rng)
        out.append(line)
        count += len(line.split())
    return " ".join(out)


def post(rng: random.Random, number: int) -> tuple[str, str]:
    """The file name and text of post `number`."""
    title = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).title() + f" {number}"
    slug = f"bench-{number:05d}"
    date = FIRST + datetime.timedelta(days=rng.randrange(DAYS))
    tags = rng.sample(TAGS, rng.randint(3, 5))
    description = sentence(rng)
    words = rng.randint(300, 2000)
    body, written = [], 0
    while written < words:
        if body and rng.random() < 0.2:
            body.append("## " + " ".join(rng.choices(WORDS, k=rng.randint(2, 5))).capitalize())
        size = min(rng.randint(40, 120), words - written)
        body.append(paragraph(rng, max(size, 6)))
        written += size
    if rng.random() < 0.3:
        code = CODE.format(name=f"pick_{number}", word=rng.choice(WORDS))
        body.insert(rng.randint(1, len(body)), code)
    if rng.random() < 0.1:
        body.insert(rng.randint(1, len(body)), f"![A chart for post {number}](../{IMAGE})")
    front = (
        f'---\ntitle: "{title}"\ndescription: "{description}"\n'
        f"date: {date.isoformat()}\ntags: [{', '.join(tags)}]\n---\n\n"
    )
    return f"{slug}.md", front + "\n\n".join(body) + "\n"


def png(width: int = 64, height: int = 40) -> bytes:
    """A small real PNG (a grey gradient), written without any library."""
    row = b"\x00" + b"".join(bytes([x * 255 // width] * 3) for x in range(width))
    rows = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def generate(docs: Path, count: int, seed: int = 2026) -> list[Path]:
    """Write `count` posts into docs/posts/ (and the shared image); return them."""
    rng = random.Random(seed)
    posts = docs / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (docs / "images").mkdir(exist_ok=True)
    (docs / IMAGE).write_bytes(png())
    written = []
    for number in range(count):
        name, text = post(rng, number)
        path = posts / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
