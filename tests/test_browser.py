"""The built site in a real browser: headless Chromium (Debian's package) driven by Playwright.

On every page: no console errors, math rendered by KaTeX, no request leaving localhost; on topic pages
the included code, the recorded outputs and the plots are present. Search finds a topic's term and
opens its page; the notebook download link returns a notebook. Screenshots of a topic page in light
and dark mode are saved to test-artifacts/.
"""

import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from kb import glossary, verified
from kb.paths import ROOT
from kb.tracking import load_all

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
TOPIC_PAGES = [t.topic for t in load_all()]  # every page with a tracking file
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The article's prose: without code (where `$$` may be shown on purpose), scripts and rendered math.
VISIBLE_PROSE = """() => {
  const article = document.querySelector("article").cloneNode(true);
  article.querySelectorAll("pre, code, script, style, .katex").forEach(e => e.remove());
  return article.textContent;
}"""

# True once KaTeX has rendered every math element of the page (at once on pages without math).
MATH_RENDERED = "() => !document.querySelector('.arithmatex:not(:has(.katex))')"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        message = (
            "Chromium is not installed, so the browser tests cannot run. Install it with "
            "`apt-get install chromium` (Debian/Ubuntu); .ci/run installs it."
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site_url(built_site):
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_paths(site: Path) -> list[str]:
    """URL paths of every HTML page of the built site (404.html aside)."""
    return sorted(
        p.parent.relative_to(site).as_posix() + "/" if p.parent != site else ""
        for p in site.rglob("index.html")
    )


def open_page(browser, url: str, color_scheme: str = "light"):
    """Load a page, recording console errors and blocking (and recording) any non-local request."""
    context = browser.new_context(
        color_scheme=color_scheme, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def only_local(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            problems.append(f"request leaving localhost: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    page.goto(url, wait_until="load")  # scripts, styles and images
    # KaTeX renders in a script after the page loads; on a busy machine even after "networkidle".
    # Wait for it (a page that never renders still fails below, by its checks).
    try:
        page.wait_for_function(MATH_RENDERED, timeout=15_000)
    except PlaywrightTimeout:
        pass
    return page, problems


def test_every_page_loads_cleanly_with_rendered_math(request, built_site):
    """Every page once (a page load costs seconds here): no errors, math rendered, images loaded,
    and on a topic page its code, outputs and plots, fitting a desktop and a phone screen.

    The verdict is remembered (kb/verified.py) with the built site's files, this test's code, the
    browser and the packages: an unchanged site is not loaded again."""
    remembered = CHROMIUM and verified.browser_parts(
        built_site, Path(__file__), CHROMIUM
    )
    why = remembered and verified.check_needs_run(
        "browser_every_page", remembered
    )
    request.node.user_properties.append(("kb", why and f"ran: {why}"))
    if remembered and why is None:
        return
    browser = request.getfixturevalue("browser")
    site_url = request.getfixturevalue("site_url")
    failures, topics = [], []
    for path in page_paths(built_site):
        page, problems = open_page(browser, site_url + path)
        text = page.evaluate(VISIBLE_PROSE)
        if "\\(" in text or "\\[" in text or "$$" in text:
            problems.append("raw math left visible")
        unrendered = page.locator(".arithmatex:not(:has(.katex))").count()
        if unrendered:
            problems.append(f"{unrendered} math elements not rendered by KaTeX")
        if page.locator(".katex-error").count():
            problems.append("KaTeX could not parse some math")
        broken_images = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"image not loaded: {src}" for src in broken_images]
        if path.rstrip("/") in TOPIC_PAGES:
            topics.append(path.rstrip("/"))
            problems += topic_page_problems(page)
        failures += [f"/{path}: {p}" for p in problems]
        page.context.close()
    assert sorted(topics) == sorted(TOPIC_PAGES), "a topic page was not found"
    assert not failures, "\n".join(failures)
    verified.remember_check("browser_every_page", remembered)


# Included code blocks (their title names a snippet), all content tabs shown, whose lines overflow.
OVERFLOWING_CODE = """() => {
  document.querySelectorAll(".tabbed-block").forEach(b => b.style.display = "block");
  return [...document.querySelectorAll("article .highlight")]
    .filter(b => ((b.querySelector(".filename") || {}).textContent || "").startsWith("snippets/"))
    .map(b => [b.querySelector(".filename").textContent, b.querySelector("pre > code")])
    .filter(([, code]) => code && code.offsetParent !== null && code.scrollWidth > code.clientWidth + 1)
    .map(([title, code]) => title + ": " + code.innerText.split("\\n").reduce((a, b) => a.length >= b.length ? a : b));
}"""
SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - window.innerWidth"


def topic_page_problems(page) -> list[str]:
    """The included code, recorded outputs and plots are there. At 1280 px no included code line is
    cut off behind a scroll bar; at 390 px (a phone) code blocks may scroll, the page itself may not."""
    problems = []
    code = page.locator("article .highlight code").all_inner_texts()
    if not any(len(c.strip()) > 20 for c in code):
        problems.append("no included code")
    # text_content: an exercise's output is in a closed <details>, rendered but not shown
    outputs = page.locator("article .kb-output").all_text_contents()
    if not outputs or not all(o.strip() for o in outputs):
        problems.append("no recorded output, or an empty one")
    if not page.locator("article img[src*='outputs/']").count():
        problems.append("no plot")
    problems += [
        f"code line longer than the code block at 1280 px (ruff's line-length is the "
        f"block's width; wrap it): {line}"
        for line in page.evaluate(OVERFLOWING_CODE)
    ]
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    sideways = page.evaluate(SIDEWAYS_SCROLL)
    if sideways > 0:
        problems.append(f"scrolls sideways by {sideways} px at 390 px width")
    return problems


def test_search_finds_a_topic_term_and_opens_its_page(browser, site_url):
    page, problems = open_page(browser, site_url)
    page.locator("input.md-search__input").click()
    # as a reader types: Material searches on key events
    page.keyboard.type("inverted dropout", delay=20)
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=15000)
    assert "dropout/" in first.get_attribute("href")
    first.click()
    page.wait_for_load_state("networkidle")
    assert urlparse(page.url).path.endswith("/dropout/"), page.url
    assert "Dropout" in page.locator("article h1").first.inner_text()
    page.context.close()
    assert not problems, problems


def test_notebook_download_link_returns_a_notebook(
    browser, site_url, built_site
):
    [notebook_page] = [
        p for p in page_paths(built_site) if p.startswith("notebooks/")
    ][:1]
    page, problems = open_page(browser, site_url + notebook_page)
    link = page.locator("a[title='Download this notebook (.ipynb)']")
    assert link.count() == 1, "no download button on the notebook page"
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    status, body = response.status, response.text()
    page.context.close()
    assert status == 200 and not problems, (status, problems)
    notebook = json.loads(body)
    assert notebook["nbformat"] == 4 and notebook["cells"], (
        "the download is not a notebook"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_a_topic_page(browser, site_url, scheme):
    page, problems = open_page(
        browser, f"{site_url}dropout/", color_scheme=scheme
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"dropout-{scheme}.png"
    page.screenshot(path=str(shot), full_page=False)
    palette = page.evaluate(
        "document.body.getAttribute('data-md-color-scheme')"
    )
    page.context.close()
    assert shot.stat().st_size > 10_000 and not problems
    assert palette == ("slate" if scheme == "dark" else "default"), palette


def test_a_glossary_term_shows_its_definition_as_a_tooltip(browser, site_url):
    """A glossary term in a topic page's prose is an <abbr> titled with its definition
    (docs/tracking/glossary/glossary.yml), and pointing at it shows Material's tooltip
    (content.tooltips: a div with role=tooltip) with that definition."""
    [iou] = [e for e in glossary.load() if e.term == "IoU"]
    page, problems = open_page(browser, f"{site_url}localization/")
    term = page.locator("article p abbr", has_text=iou.term).first
    assert term.get_attribute("title") == iou.definition
    tooltip = page.locator(".md-tooltip2--active[role=tooltip]")
    assert not tooltip.count(), "a tooltip shows before pointing at anything"
    term.hover()
    tooltip.wait_for(state="visible", timeout=15_000)  # a busy machine is slow
    text = tooltip.inner_text()
    page.context.close()
    assert text.strip() == iou.definition and not problems, (text, problems)


def test_an_exercise_hides_its_solution_and_offers_its_starter(
    browser, site_url
):
    """On a topic page, a code exercise's solution is in a closed <details> until the reader opens
    it, and the "Try it first" link serves the starter script: the checks without the answer."""
    page, problems = open_page(browser, f"{site_url}l1-l2-regularization/")
    block = page.locator("details.success", has_text="soft_threshold").first
    code = block.locator("code", has_text="torch.clamp(w.abs() - t").first
    assert block.get_attribute("open") is None, "the solution shows unopened"
    assert not code.is_visible(), "the solution's code is visible unopened"
    block.locator("summary").click()
    code.wait_for(state="visible", timeout=15_000)  # a busy machine is slow
    link = page.locator("a[download='soft_threshold_starter.py']")
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    status, body = response.status, response.text()
    page.context.close()
    assert status == 200 and not problems, (status, problems)
    assert (
        "# TODO: your answer here" in body
        and "torch.clamp(w.abs() - t" not in body
    )
