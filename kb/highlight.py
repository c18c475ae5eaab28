"""pymdownx.highlight that remembers each code block's HTML between builds.

A warm build renders every page again, and Pygments takes a fifth of it: the pages show 400 code
blocks. A block's HTML depends only on its source, its options and the highlighter's settings, so
it is looked up by them in kb's file cache (kb/filecache.py) before Pygments runs.

The hook puts this extension in the place of pymdownx.highlight, with the same settings. A builder
that runs no MkDocs hooks uses pymdownx.highlight itself: the same HTML, only slower.
"""

from __future__ import annotations

from importlib.metadata import version

from pymdownx.highlight import Highlight, HighlightExtension

from kb import filecache

# the HTML also depends on these packages' code
VERSIONS = (version("pygments"), version("pymdown-extensions"))


class CachedHighlight(Highlight):
    def highlight(self, src, language, *args, **kwargs):
        # Inline code comes back as an element, and a title in "html" mode goes into the page's
        # HTML stash: neither is a plain string that another render could reuse.
        if kwargs.get("inline") or self.title_mode == "html":
            return super().highlight(src, language, *args, **kwargs)
        settings = {
            name: value for name, value in vars(self).items() if name != "md"
        }
        block = repr(
            (
                VERSIONS,
                sorted(settings.items()),
                src,
                language,
                args,
                sorted(kwargs.items()),
            )
        )
        key = ("highlight", filecache.digest(block.encode()))
        return filecache.memo(
            key,
            lambda: super(CachedHighlight, self).highlight(
                src, language, *args, **kwargs
            ),
        )


class CachedHighlightExtension(HighlightExtension):
    def get_pymdownx_highlighter(self):
        return CachedHighlight


def use_cached_highlight(markdown_extensions: list, mdx_configs: dict) -> None:
    """Put CachedHighlightExtension where mkdocs.yml lists pymdownx.highlight, with its settings."""
    if "pymdownx.highlight" not in markdown_extensions:
        return
    settings = mdx_configs.get("pymdownx.highlight", {})
    index = markdown_extensions.index("pymdownx.highlight")
    markdown_extensions[index] = CachedHighlightExtension(**settings)
