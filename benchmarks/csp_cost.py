"""What hooks/csp.py and hooks/toggles.py cost a 1,000-post build: their pure
functions timed on the seed post's built HTML, 1,000 times.

    .venv/bin/python benchmarks/csp_cost.py [site/posts/.../index.html]

Without an argument it builds the site into a temporary folder first.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import csp  # noqa: E402
import toggles  # noqa: E402

SEED_POST = "posts/openais-tape-models-and-the-sora-trade/index.html"
PAGES = 1000


def seed_html() -> str:
    if len(sys.argv) > 1:
        return Path(sys.argv[1]).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as site:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", site],
                       cwd=ROOT, check=True)
        return (Path(site) / SEED_POST).read_text(encoding="utf-8")


def main() -> None:
    # The page as it is before the two hooks run.
    html = re.sub(r'\n<meta http-equiv="Content-Security-Policy"[^>]*>', "", seed_html())
    html = html.replace(f'form="{toggles.FORM}"', 'autocomplete="off"')
    directives = csp.widened(csp.BASE, {})
    start = time.perf_counter()
    for _ in range(PAGES):
        page = toggles.owned_by_form(html)
        csp.with_policy(page, csp.policy(directives, csp.page_hashes(page)))
    seconds = time.perf_counter() - start
    print(f"{PAGES:,} pages of {len(html):,} characters: {seconds * 1000:.0f} ms in all, "
          f"{seconds / PAGES * 1000:.3f} ms a page")


if __name__ == "__main__":
    main()
