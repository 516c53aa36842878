"""Material's drawer and search toggles, as valid HTML.

Material's `base.html` writes two hidden checkboxes at the top of `<body>`,
outside any block a theme can override:

    <input class="md-toggle" ... type="checkbox" id="__drawer" autocomplete="off">

`autocomplete="off"` keeps a browser from restoring a toggle's state when
the reader comes back to the page (the search dialog would be open again),
but HTML allows the attribute on text-like inputs only, so the Nu HTML
Checker reports both on every page. A form's own `autocomplete="off"` does
the same for the controls it owns, and is valid: as each page is written
(`on_post_page`, and `on_post_template` for 404.html), this hook gives both
toggles to the empty `<form id="ew-toggles" autocomplete="off">` in
overrides/partials/ew-header.html (`form="ew-toggles"`) in place of their
own attribute. The checkboxes stay where they are, since Material's CSS
finds the dialog and the drawer as their siblings (`:checked ~ ...`).
Writes no `page.meta` key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cache
from posts import serving

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

# The id of the form in overrides/partials/ew-header.html.
FORM = "ew-toggles"
# Material 9's toggles (material/templates/base.html), as it writes them.
TOGGLES = ("__drawer", "__search")


def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
    if not serving():
        return owned_by_form(output)
    # `mkdocs serve` keeps each page's last bytes and what they became: a
    # comparison costs less than two copies of the page.
    memo = cache.table("toggles-by-page")
    kept = memo.get(page.file.src_uri)
    if kept is not None and kept[0] == output:
        return kept[1]
    owned = owned_by_form(output)
    memo.put(page.file.src_uri, (output, owned))
    return owned


def on_post_template(output_content: str, /, *, template_name: str,
                     config: MkDocsConfig) -> str | None:
    return owned_by_form(output_content) if template_name.endswith(".html") else None


def owned_by_form(html: str) -> str:
    """`html` with Material's toggles owned by the form FORM instead of
    carrying `autocomplete="off"` themselves."""
    for toggle in TOGGLES:
        html = html.replace(f'id="{toggle}" autocomplete="off"', f'id="{toggle}" form="{FORM}"', 1)
    return html
