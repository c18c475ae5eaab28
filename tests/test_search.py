"""kb's cached search index gives Material's index entries, parsing each page version once."""

from types import SimpleNamespace

from material.plugins.search.plugin import SearchIndex

from conftest import reload_filecache

from kb import search

HTML = """<p>Before any heading.</p>
<h1 id="dropout">Dropout</h1>
<p>Drop units <em>at random</em>.</p>
<div class="highlight"><pre><code><span class="k">import</span> torch
x = torch.ones(3)
</code></pre></div>
<h2 id="pitfalls">Pitfalls</h2>
<ul><li>eval() turns it off</li></ul>
<div data-search-exclude><h2 id="hidden">Hidden</h2><p>not indexed</p></div>
"""

CONFIG = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": [], "fields": {}}


def page(html: str, title: str = "Dropout") -> SimpleNamespace:
    return SimpleNamespace(
        content=html, meta={}, toc=[], url="dropout/", title=title
    )


def entries(index_class, *pages) -> list[dict]:
    index = index_class(**CONFIG)
    for p in pages:
        index.add_entry_from_context(p)
    return index.entries


def test_the_entries_are_materials(monkeypatch):
    no_h1 = HTML.replace("<h1", "<h3").replace("</h1>", "</h3>")
    pages = [page(HTML), page(no_h1, "First"), page(no_h1, "Second")]
    expected = entries(SearchIndex, *pages)
    assert any("torch.ones(3)" in e["text"] for e in expected)
    assert not any("not indexed" in e["text"] for e in expected)
    assert entries(search.CachedSearchIndex, *pages) == expected
    # again from the cache: a title filled in for one page is not kept for the next
    assert entries(search.CachedSearchIndex, *pages) == expected


def test_a_page_version_is_parsed_once_and_an_edit_again(monkeypatch, tmp_path):
    feeds = []

    class CountingParser(search.Parser):
        def feed(self, data):
            feeds.append(data)
            super().feed(data)

    monkeypatch.setattr(search, "Parser", CountingParser)
    html = HTML.replace("Dropout", "Dropout, parsed once")
    entries(search.CachedSearchIndex, page(html))
    entries(search.CachedSearchIndex, page(html))
    assert len(feeds) == 1
    reload_filecache(tmp_path, monkeypatch)
    entries(search.CachedSearchIndex, page(html))
    assert len(feeds) == 1
    edited = html.replace("at random", "at random, edited")
    found = entries(search.CachedSearchIndex, page(edited))
    assert len(feeds) == 2 and any("edited" in e["text"] for e in found)


def test_the_hook_gives_materials_search_plugin_the_cached_index():
    plugin = SimpleNamespace(search_index=SearchIndex(**CONFIG))
    plugins = {"material/search": plugin}
    search.use_cached_search(plugins)
    assert type(plugin.search_index) is search.CachedSearchIndex
    assert plugin.search_index.config == CONFIG
    search.use_cached_search({})  # no search plugin: nothing to do
