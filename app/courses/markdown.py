"""Course Markdown to safe HTML: CommonMark (markdown-it-py), then nh3's allow-list.

Rendered when shown, not when loaded, so a tightened allow-list applies to
every version already in the database.

Two additions to CommonMark, both described in docs/course-format.md:
- `<span lang="en">…</span>` marks a change of language (WCAG 3.1.2); it is the
  only raw HTML with an attribute beyond links, images and abbreviations.
- A paragraph `Table: …` directly before a pipe table is the table's caption.
Every table is put in its own keyboard-scrollable region named by its caption, so
a wide table scrolls by itself on a narrow screen instead of the page (WCAG 1.4.10).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup, escape

CAPTION_PREFIX = "Table:"

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "span": {"lang"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# A BCP 47 language tag as authors write them: "en", "sv", "se", "en-GB", "sr-Latn".
LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*")


def is_language_tag(value: str) -> bool:
    return LANGUAGE_TAG.fullmatch(value) is not None


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 allows `lang` and `title` on every tag unless told otherwise: the list above is exact.
    if tag == "a" and attribute == "rel":
        return value  # nh3's own link_rel, set below
    if attribute not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return None
    if attribute == "lang" and not is_language_tag(value):
        return None
    return value


def table_captions(state: StateCore) -> None:
    """A `Table: …` paragraph right before a table becomes that table's caption."""
    tokens = state.tokens
    i = 0
    while i + 3 < len(tokens):
        opening, inline, closing, table = tokens[i : i + 4]
        if (
            opening.type == "paragraph_open"
            and closing.type == "paragraph_close"
            and table.type == "table_open"
            and inline.content.startswith(CAPTION_PREFIX)
        ):
            inline.content = inline.content[len(CAPTION_PREFIX) :].strip()
            state.md.inline.parse(inline.content, state.md, state.env, children := [])
            inline.children = children
            table.meta["caption"] = inline
            del tokens[i : i + 3]
        i += 1


def _table_open(renderer, tokens, idx, options, env) -> str:
    caption = tokens[idx].meta.get("caption")
    if caption is None:
        return "<table>\n"
    return f"<table>\n<caption>{renderer.renderInline(caption.children, options, env)}</caption>\n"


_md = MarkdownIt("commonmark").enable("table")
_md.core.ruler.push("table_captions", table_captions)
_md.add_render_rule("table_open", _table_open)


def caption_problems(text: str) -> list[tuple[int | None, str]]:
    """For the course loader: (line in `text`, problem) for tables without a caption."""
    problems = []
    for tok in _md.parse(text):
        if tok.type == "table_open" and "caption" not in tok.meta:
            line = tok.map[0] + 1 if tok.map else None
            problems.append(
                (line, f"tabellen saknar rubrik: skriv en rad '{CAPTION_PREFIX} …' direkt före den")
            )
    return problems


@lru_cache(maxsize=512)
def _render(text: str, table_label: str) -> str:
    html = _md.render(text)
    # A course's `# heading` would compete with the page's own h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return _scroll_regions(html, text, table_label)


def _scroll_regions(html: str, text: str, table_label: str) -> str:
    """Each table in a focusable region of its own, named by its caption (or a plain label)."""
    stem = "tabell-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    parts = html.split("<table>")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        if part.lstrip().startswith("<caption>"):
            name = f'aria-labelledby="{stem}-{n}"'
            part = part.replace("<caption>", f'<caption id="{stem}-{n}">', 1)
        else:
            name = f'aria-label="{escape(table_label)}"'
        out.append(f'<div class="table-scroll" role="region" tabindex="0" {name}><table>{part}')
    html = "".join(out).replace("</table>", "</table></div>")
    # Pipe tables have header cells only in the head row.
    return html.replace("<th>", '<th scope="col">')


def render_markdown(text: str, table_label: str = "Tabell") -> Markup:
    return Markup(_render(text, table_label))  # noqa: S704 - sanitised by nh3 above
