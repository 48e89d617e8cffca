"""The site as a person uses it, in a real browser: Playwright drives Debian's Chromium against
the app on a loopback socket. Open the index, press copy-URL, follow a topic, read an article,
search; check what is on screen, that no console errors occur, that every link on every visited
page answers 200, and that nothing is wider than the screen at 375 px and 1280 px, light and dark.

Screenshots go to $SHOTS_DIR (default: a pytest temp dir); look at them after layout changes.
Without /usr/bin/chromium the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from werkzeug.serving import make_server

from feeds.group import SHANGHAI
from feeds.model import Paragraph
from feeds.search import SEARCH_LIMIT
from feeds.site import Collection, searchable_text
from feeds.web import create_app

from .conftest import _make_item

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")
LONG_URL = "https://example.org/" + "/".join(f"very-long-path-segment-{n}" for n in range(8))
LONG_WORD = "Supercalifragilistic" * 6


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collection(corpus_collection: Collection) -> Collection:
    """The golden corpus plus one article with a long URL and a long Latin word (wrapping)."""
    long_one = _make_item(
        900,
        title=f"长链接与长单词的换行测试 {LONG_WORD}",
        body=f"详情请见{LONG_URL},或搜索{LONG_WORD}。",
        topic="other",
        published=datetime(2024, 12, 1, 12, 0, tzinfo=SHANGHAI),
    )
    article = replace(
        long_one.article,
        paragraphs=(*long_one.article.paragraphs, Paragraph(LONG_URL, line=5)),
        source="long-lines.txt",
    )
    items = (replace(long_one, article=article), *corpus_collection.items)
    items = tuple(sorted(items, key=lambda it: (it.published, it.id), reverse=True))
    return replace(corpus_collection, items=items)


@pytest.fixture(scope="module")
def base_url(collection: Collection) -> Iterator[str]:
    """The app on a real loopback socket (port 0), its links built for the bound port."""
    server = make_server("127.0.0.1", 0, lambda env, start: [], threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app({"COLLECTION": collection, "BASE_URL": base})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (Debian's binary; no Playwright download)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    path = Path(os.environ.get("SHOTS_DIR") or tmp_path_factory.mktemp("shots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def checked_links() -> set[str]:
    """URLs already fetched, so each link is checked once per module."""
    return set()


class Visit:
    """A browser tab that records console errors and page errors."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, path: str):
        resp = self.page.goto(self.base + path)
        assert resp is not None and resp.status == 200, path
        return resp


def _context(browser, base: str, *, width: int = 1280, scheme: str = "light"):
    ctx = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-CN"
    )
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    return ctx


@pytest.fixture()
def visit(browser, base_url) -> Iterator[Visit]:
    ctx = _context(browser, base_url)
    tab = Visit(ctx.new_page(), base_url)
    yield tab
    ctx.close()


# -- checks ---------------------------------------------------------------------------------


def _assert_no_errors(visit: Visit) -> None:
    visit.page.wait_for_load_state("load")
    assert visit.errors == [], visit.errors


def _assert_links_answer(visit: Visit, checked: set[str]) -> None:
    """Every link, stylesheet and script of the current page answers 200 (same origin only)."""
    urls = visit.page.eval_on_selector_all(
        "a[href], link[href], script[src]", "els => els.map(e => e.href || e.src)"
    )
    origin = urlsplit(visit.base).netloc
    fresh = {u.split("#", 1)[0] for u in urls if urlsplit(u).netloc == origin} - checked
    for url in sorted(fresh):
        with urllib.request.urlopen(url, timeout=10) as resp:  # loopback only
            assert resp.status == 200, url
        checked.add(url)
    assert urls


def _assert_fits(page, label: str) -> None:
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    scroll, inner, body = sizes
    assert scroll <= inner and body <= inner, f"{label}: content {scroll}px > {inner}px"


# -- a person's path through the site ------------------------------------------------------


def test_index_shows_topics_and_copy_button_copies_the_feed_url(
    visit: Visit, collection: Collection, checked_links: set[str], shots: Path
) -> None:
    page = visit.page
    visit.open("/")
    assert page.title() == "今日衢江"
    assert page.locator("h1").inner_text().startswith("今日衢江")
    party = page.locator("#topic-party")
    n_party = sum(1 for it in collection.items if "party" in (it.primary_topic, *it.topics))
    assert party.locator("h3 .count").inner_text() == f"{n_party} 篇"
    for title in ("全部", "党委会议", "政府工作", "志愿服务"):
        assert page.locator("li.card h3 a", has_text=title).first.is_visible()
    button = party.locator("button.copy")
    assert button.is_visible(), "copy.js shows the copy buttons"
    button.click()
    status = party.locator(".copy-status")
    status.wait_for(state="visible")
    expected = f"{visit.base}/feeds/party.rss"
    assert status.locator("strong").inner_text() == "已复制订阅地址"
    assert status.locator(".url").inner_text() == expected
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert "done" in (button.get_attribute("class") or "")
    party.screenshot(path=shots / "copy-feedback.png")
    _assert_no_errors(visit)
    _assert_links_answer(visit, checked_links)


def test_follow_a_topic_then_read_articles(
    visit: Visit, collection: Collection, checked_links: set[str]
) -> None:
    page = visit.page
    visit.open("/")
    page.locator(".masthead nav a", has_text="政府工作").click()
    page.wait_for_url(f"{visit.base}/topics/government.html")
    topic = [it for it in collection.items if "government" in (it.primary_topic, *it.topics)]
    assert page.locator("h1").inner_text() == "政府工作"
    assert page.locator(".channel-head .total").inner_text() == str(len(topic))
    assert page.locator("li.entry").count() == min(len(topic), 20)
    _assert_no_errors(visit)
    _assert_links_answer(visit, checked_links)

    first = next(it for it in topic if it.primary_topic == "government")
    page.locator(".headline a", has_text=first.article.title).first.click()
    page.wait_for_url(f"{visit.base}/articles/{first.id}.html")
    assert page.locator("article h1").inner_text() == first.article.title
    assert page.title() == f"{first.article.title} · 今日衢江"
    body = page.locator(".article .body")
    assert body.locator("p").first.inner_text() == first.article.paragraphs[0].text
    _assert_no_errors(visit)
    _assert_links_answer(visit, checked_links)

    older = topic[topic.index(first) + 1]  # next in its topic's listing, newest first
    link = page.locator(".neighbours a.older")
    assert link.locator(".t").inner_text() == older.article.title
    link.click()
    page.wait_for_url(f"{visit.base}/articles/{older.id}.html")
    assert page.locator("article h1").inner_text() == older.article.title
    _assert_no_errors(visit)
    _assert_links_answer(visit, checked_links)


def test_search_highlights_the_words_and_offers_a_feed(
    visit: Visit, collection: Collection, checked_links: set[str]
) -> None:
    page = visit.page
    visit.open("/topics/all.html")
    box = page.locator(".masthead input[name=q]")
    box.fill("志愿 服务")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    words = ("志愿", "服务")
    hits = [it for it in collection.items if all(w in searchable_text(it) for w in words)]
    assert hits
    assert page.locator(".results .total").inner_text() == str(len(hits))
    titles = page.locator(".results .headline a").all_inner_texts()
    listed = hits[:SEARCH_LIMIT]  # the first are listed, the total counts them all
    assert titles == [it.article.title for it in listed]
    marks = page.locator(".results mark")
    assert marks.count() >= len(listed)
    assert set(marks.all_inner_texts()) <= {"志愿", "服务", "志愿服务", "服务志愿"}
    assert marks.first.is_visible()
    colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), "highlights are visible"
    feed = page.locator(".search-feed a.atom")
    assert (
        feed.get_attribute("href")
        == "feeds/all.atom?filter=%E5%BF%97%E6%84%BF&filter=%E6%9C%8D%E5%8A%A1"
    )
    resp = page.request.get(feed.evaluate("a => a.href"))
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    _assert_no_errors(visit)
    _assert_links_answer(visit, checked_links)


def test_markup_typed_into_search_stays_text(visit: Visit) -> None:
    page = visit.page
    visit.open("/search?q=" + quote('"><img src=x onerror=alert(1)> <script>alert(2)</script>'))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_timeout(200)
    assert page.locator("img").count() == 0
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("input[name=q]").input_value().startswith('"><img')
    assert dialogs == []
    _assert_no_errors(visit)


# -- layout at phone and desktop widths, light and dark -------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_layout_fits_and_follows_the_colour_scheme(
    browser,
    base_url: str,
    collection: Collection,
    shots: Path,
    checked_links: set[str],
    width: int,
    scheme: str,
) -> None:
    headed = next(
        it for it in collection.items if any(p.kind == "heading" for p in it.article.paragraphs)
    )
    pages = {
        "index": "/",
        "topic": "/topics/all.html",
        "topic-older": "/topics/all/1.html",
        "article": f"/articles/{headed.id}.html",
        "article-long": f"/articles/{_long_item(collection).id}.html",
        "search": "/search?q=" + quote("志愿 服务"),
    }
    ctx = _context(browser, base_url, width=width, scheme=scheme)
    try:
        visit = Visit(ctx.new_page(), base_url)
        for name, path in pages.items():
            visit.open(path)
            _assert_fits(visit.page, f"{name} at {width}px {scheme}")
            background = visit.page.evaluate(
                "() => getComputedStyle(document.body).backgroundColor"
            )
            assert _is_dark(background) == (scheme == "dark"), (name, background)
            visit.page.screenshot(path=shots / f"{name}-{width}-{scheme}.png", full_page=True)
            _assert_links_answer(visit, checked_links)
        _assert_no_errors(visit)
    finally:
        ctx.close()


def _long_item(collection: Collection):
    return next(it for it in collection.items if it.article.source == "long-lines.txt")


def _is_dark(css_colour: str) -> bool:
    """rgb(r, g, b) -> whether its relative luminance is low."""
    r, g, b = (int(v) for v in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128
