"""The MkDocs hook: a thin layer that calls kb's plain functions at a few points of the build.

- on_startup: remember whether this is `mkdocs serve` (stale outputs then warn instead of failing).
- on_serve: also rebuild when snippets/ or docs/tracking/ change.
- on_config: load and validate docs/tracking/*.yml (a bad entry fails the build, naming the fix).
- on_pre_build: turn notebook snippets into docs/notebooks/*.ipynb for mkdocs-jupyter, and zip the
  snippets of each topic and of the site into docs/downloads/*.zip (kb/downloads.py; runs nothing).
- on_page_markdown: expand the `{{ ... }}` directives (kb/directives.py).
- on_page_context: a notebook page's "edit" button opens the snippet it is made from.
- on_config and on_post_build: load and save what kb computed from unchanged files (kb/filecache.py),
  so a warm build in a new process parses and zips only what changed.
"""

import sys
from pathlib import Path

# import kb from this checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mkdocs.exceptions import PluginError  # noqa: E402

from kb import directives, downloads, filecache, notebooks, tracking  # noqa: E402

_site = None
_serving = False
ROOT = Path(__file__).resolve().parents[1]


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_serve(server, config, builder):
    for folder in (ROOT / "snippets", ROOT / "docs" / "tracking"):
        server.watch(str(folder))
    return server


def on_config(config):
    global _site
    filecache.load()
    try:
        topics = tracking.load_all()
    except tracking.TrackingError as error:
        raise PluginError(str(error)) from None
    repo_blob = (config.get("repo_url") or "").rstrip("/") + "/blob/main/"
    _site = directives.Site(
        topics=topics,
        repo_blob=repo_blob,
        serving=_serving,
        repo_url=(config.get("repo_url") or "").rstrip("/"),
    )
    return config


def on_pre_build(config):
    try:
        notebooks.build()
    except notebooks.NotebookError as error:
        raise PluginError(str(error)) from None
    try:
        downloads.write_zips()
    except downloads.DownloadError as error:
        raise PluginError(str(error)) from None


def on_page_markdown(markdown, page, config, files):
    try:
        return directives.expand(markdown, page.file.src_uri, _site)
    except directives.DirectiveError as error:
        raise PluginError(str(error)) from None


def on_post_build(config):
    filecache.save()


def on_page_context(context, page, config, nav):
    if not page.file.src_uri.startswith("notebooks/"):
        return context
    script = notebooks.source_of(page.file.src_uri)
    if script and config.get("repo_url"):
        page.edit_url = f"{config['repo_url'].rstrip('/')}/edit/main/{script}"
    return context
