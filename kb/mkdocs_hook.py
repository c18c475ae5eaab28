"""The MkDocs hook: a thin layer that calls kb's plain functions at a few points of the build.

- on_startup: remember whether this is `mkdocs serve` (stale outputs then warn instead of failing).
- on_serve: also rebuild when snippets/ or docs/tracking/ change.
- on_config: load and validate docs/tracking/*.yml (a bad entry fails the build, naming the fix).
- on_pre_build: turn notebook snippets into docs/notebooks/*.ipynb for mkdocs-jupyter, and zip the
  snippets of each topic and of the site into docs/downloads/*.zip (kb/downloads.py; runs nothing).
- on_env: keep Jinja's compiled templates between builds.
- on_page_markdown: expand the `{{ ... }}` directives (kb/directives.py).
- on_page_context: a notebook page's "edit" button opens the snippet it is made from.
- on_config and on_post_build: load and save what kb computed from unchanged files (kb/filecache.py),
  so a warm build in a new process parses, zips, highlights and indexes only what changed
  (kb/highlight.py takes pymdownx.highlight's place, kb/search.py Material's search index). They
  also mark where a build starts and ends: within one build each file is read once.
"""

import sys
from pathlib import Path

# import kb from this checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jinja2 import FileSystemBytecodeCache  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402

from kb import (  # noqa: E402
    directives,
    downloads,
    filecache,
    highlight,
    notebooks,
    search,
    tracking,
)

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
    filecache.begin_build()
    highlight.use_cached_highlight(
        config.markdown_extensions, config.mdx_configs
    )
    search.use_cached_search(config.plugins)
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


def on_env(env, config, files):
    # Jinja compiles Material's templates on every build (0.2 s); its own cache keeps them compiled,
    # checked against each template's source
    folder = filecache.CACHE_FILE.parent / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env


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
    filecache.end_build()
    filecache.save()


def on_build_error(error):
    filecache.end_build()


def on_page_context(context, page, config, nav):
    if not page.file.src_uri.startswith("notebooks/"):
        return context
    script = notebooks.source_of(page.file.src_uri)
    if script and config.get("repo_url"):
        page.edit_url = f"{config['repo_url'].rstrip('/')}/edit/main/{script}"
    return context
