"""Material's search index, with each page's HTML parsed once per version of the page.

Material's search plugin parses every page's HTML on every build to split it into sections: a
quarter of a warm build, as our pages hold 400 highlighted code blocks. The sections depend only
on the HTML, so they are looked up by its hash in kb's file cache (kb/filecache.py); making the
index entries from them (URLs, titles from the table of contents) is left to Material.

The hook puts this index in the place of Material's. A builder that runs no MkDocs hooks indexes
with Material's own: the same index, only slower.
"""

from __future__ import annotations

from importlib.metadata import version

from material.plugins.search.plugin import (
    Element,
    Parser,
    SearchIndex,
    Section,
)

from kb import filecache

# the sections also depend on the parser's code
MATERIAL = version("mkdocs-material")


def _sections(html: str) -> list[tuple]:
    """Material's sections of a page, as plain data: its text pieces joined."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [
        (
            s.el.tag,
            s.el.attrs,
            s.depth,
            s.id,
            ["".join(s.title)] if s.title else [],
            ["".join(s.text)],
        )
        for s in parser.data
    ]


def sections(html: str) -> list[Section]:
    """Material's Parser(html).data, remembered by the HTML's hash (fresh objects on every call:
    Material fills in a missing title from the page)."""
    key = ("search", MATERIAL, filecache.digest(html.encode()))
    found = []
    for tag, attrs, depth, id_, title, text in filecache.memo(
        key, lambda: _sections(html)
    ):
        section = Section(Element(tag, attrs), depth)
        section.id, section.title, section.text = id_, list(title), list(text)
        found.append(section)
    return found


class CachedSearchIndex(SearchIndex):
    def add_entry_from_context(self, page):
        # as Material's, with the parse looked up
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        for section in sections(page.content):
            if not section.is_excluded():
                self.create_entry_for_section(section, page.toc, page.url, page)


def use_cached_search(plugins) -> None:
    """Give Material's search plugin (after its on_config) the cached index, with its settings."""
    plugin = plugins.get("material/search")
    if type(getattr(plugin, "search_index", None)) is SearchIndex:
        plugin.search_index = CachedSearchIndex(**plugin.search_index.config)
