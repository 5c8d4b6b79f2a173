"""The site as the public sees it: headless Chromium, axe-core, the Nu HTML Checker.

These run wherever Debian's chromium and chromium-driver are installed (`.ci/run` installs
them); elsewhere they skip, saying why.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from checks.browser import AXE, DESKTOP, PAGES, PHONE, VNU, browser_missing, chromium, serve
from tests.conftest import ROOT, Site

needs_browser = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# How far the page is wider than the viewport: more than a pixel means scrolling sideways.
HORIZONTAL_OVERFLOW = (
    "const root = document.documentElement; return root.scrollWidth - root.clientWidth;"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from publishing.build import build_site
    from tests.conftest import NOW, SITEURL

    out = tmp_path_factory.mktemp("browser") / "site"
    return build_site(ROOT / "publishconf.py", out, {"SITEURL": SITEURL, "BUILD_TIME": NOW}).output


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


def axe_violations(driver, url: str, tags: list[str] = WCAG_AA) -> list[dict]:
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(30)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))));",
        tags,
    )
    return list(result)


@needs_browser
def test_the_phone_viewport_of_the_browser_checks_is_phone_sized(tmp_path: Path) -> None:
    """Headless Chromium keeps its window at least 500 px wide, whatever it is asked for."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>t</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><p>x</p>',
        encoding="utf-8",
    )
    with serve(tmp_path) as base, chromium(PHONE) as driver:
        driver.get(f"{base}/index.html")
        size = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert tuple(size) == PHONE, f"phone checks run at {size} CSS px, not {PHONE}"


@needs_browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci`")
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_axe_violations_at_wcag_21_aa(base: str, size: tuple[int, int]) -> None:
    with chromium(size) as driver:
        for name, path in PAGES:
            assert axe_violations(driver, f"{base}/{path}") == [], name


@needs_browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci`")
def test_a_page_with_two_corrections_has_no_two_landmarks_of_one_name(tmp_path: Path) -> None:
    """axe's best practice (landmark-unique): a screen reader's list of landmarks names each
    one, and two both called "Correction" cannot be told apart."""
    site = Site(tmp_path)
    site.add(
        "2026-11-20-a",
        correction="[{date: 2026-11-21 09:00, note: The flushing starts Monday.},"
        " {date: 2026-11-22 10:00, note: It ends Friday.}]",
    )
    site.build()
    with serve(site.output) as base, chromium() as driver:
        url = f"{base}/announcements/2026-11-20-a.html"
        assert axe_violations(driver, url, ["best-practice"]) == []


needs_vnu = pytest.mark.skipif(
    not VNU.exists() or not shutil.which("java"),
    reason="the Nu HTML Checker needs `npm ci` and Java",
)


def vnu_errors(pages: list[str]) -> list[str]:
    """Each error the Nu HTML Checker finds in `pages`, as "page: message"."""
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [
        f"{m.get('url', '').rsplit('/', 2)[-1]}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


@needs_vnu
def test_every_page_is_valid_html(site: Path) -> None:
    assert vnu_errors(sorted(str(p) for p in site.rglob("*.html"))) == []


@needs_vnu
def test_a_time_or_data_element_written_in_the_text_stays_valid_html(tmp_path: Path) -> None:
    """The attributes that give HTML5's elements their meaning survive the cleaning of the
    text: a <time> without its datetime, or a <data> without its value, is invalid."""
    site = Site(tmp_path)
    site.add(
        "2026-11-20-a",
        body=(
            'Open house on <time datetime="2026-12-09T16:00-08:00">December 9 at 4 p.m.</time>'
            ' for <data value="1250">1,250</data> households.\n\n'
            "<ol reversed><li>Third</li><li>Second</li><li>First</li></ol>\n"
        ),
    )
    site.build()
    page = site.output / "announcements/2026-11-20-a.html"
    assert vnu_errors([str(page)]) == []
    html = page.read_text(encoding="utf-8")
    assert '<time datetime="2026-12-09T16:00-08:00">' in html
    assert '<data value="1250">' in html
    assert "<ol reversed" in html


@needs_vnu
def test_markup_html5_made_obsolete_is_cleaned_off_keeping_its_text(tmp_path: Path) -> None:
    """HTML 4's presentational tags and attributes, which an editor may paste, would make the
    page invalid: the cleaning takes them off and keeps what they held."""
    site = Site(tmp_path)
    site.add(
        "2026-11-20-a",
        body=(
            "<center>Crews flush mains</center>\n\n"
            "<p>On <strike>Monday</strike> <tt>Tuesday</tt>, <acronym title='British "
            "Columbia'>BC</acronym> <big>time</big> <font color='red'>8 a.m.</font></p>\n\n"
            '<hr align="left" size="3" width="50%">\n\n'
            '<table align="center" summary="Streets" char="." charoff="1">'
            '<colgroup align="left" char="." charoff="1"></colgroup>'
            '<thead align="left"><tr align="left" char="."><th align="left" charoff="1">Street'
            '</th></tr></thead><tbody valign="top" align="left" char="." charoff="1">'
            '<tr><td align="right" char="." charoff="1">Bay Avenue</td></tr></tbody></table>\n\n'
            '<p><img src="{static}/images/pixel.png" alt="A crew" align="left" width="1" '
            'height="1"></p>\n\n'
            '<map name="streets"><area href="#bay" alt="Bay Avenue" shape="rect" '
            'coords="0,0,1,1"></map>\n'
        ),
    )
    site.build()
    page = site.output / "announcements/2026-11-20-a.html"
    assert vnu_errors([str(page)]) == []
    text = page.read_text(encoding="utf-8").split("<main", 1)[1]
    obsolete = (
        r"<(?:center|strike|tt|acronym|big|font|map|area)\b|\s(?:align|char|charoff|size|summary)="
    )
    assert re.findall(obsolete, text) == []
    assert "<hr>" in text and 'width="1"' in text  # an image's size is HTML5 still
    for words in ("Crews flush mains", "Monday", "Tuesday", "BC", "time", "8 a.m.", "Bay Avenue"):
        assert words in text


@needs_vnu
def test_a_tables_column_alignment_and_totals_row_are_kept_and_nothing_else_styled(
    tmp_path: Path,
) -> None:
    """A budget table's number column stays right-aligned (Markdown writes the alignment as
    a style) and its totals stay in <tfoot>; any other style the text carries is cleaned off."""
    site = Site(tmp_path)
    site.add(
        "2026-11-20-a",
        body=(
            "| Street | Cost |\n|:--|--:|\n| Bay Avenue | $1,200 |\n\n"
            '<table><tbody><tr><td style="color: red; text-align: center">Cedar</td></tr>'
            "</tbody><tfoot><tr><td>Total $1,200</td></tr></tfoot></table>\n\n"
            '<p style="text-align: center">Crews</p>\n'
        ),
    )
    site.build()
    page = site.output / "announcements/2026-11-20-a.html"
    assert vnu_errors([str(page)]) == []
    text = page.read_text(encoding="utf-8").split("<main", 1)[1]
    assert re.search(r'<td style="text-align: ?right;?">\$1,200</td>', text)
    assert re.search(r'<td style="text-align: ?center;?">Cedar</td>', text)
    assert "<tfoot><tr><td>Total $1,200</td></tr></tfoot>" in text
    assert "color" not in text and "<p>Crews</p>" in text


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        for attribute in ("href", "src"):
            if values.get(attribute):
                self.links.append(values[attribute] or "")


def test_every_internal_link_resolves_and_every_page_has_one_h1(site: Path) -> None:
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.h1 == 1, page
        for link in parser.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", link) or link.startswith("#"):
                continue
            target = urlsplit(urljoin(page.relative_to(site).as_posix(), link)).path
            if not (site / target).exists():
                broken.append(f"{page.relative_to(site)} → {link}")
    assert broken == []


@needs_browser
def test_no_request_leaves_the_sites_own_origin(base: str) -> None:
    with chromium() as driver:
        for _, path in PAGES:
            driver.get(f"{base}/{path}")
        requests = [
            json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]
        ]
    # The browser's own chrome:// pages are not the site's requests; everything else must be.
    web = [url for url in requests if url.startswith(("http:", "https:", "ws:", "wss:", "//"))]
    assert len(web) >= len(PAGES)
    assert [url for url in web if not url.startswith(base)] == []


@needs_browser
def test_the_skip_link_works_and_focus_is_visible(base: str) -> None:
    with chromium() as driver:
        driver.get(f"{base}/index.html")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        focused = driver.switch_to.active_element
        assert focused.get_attribute("class") == "skip-link"
        assert focused.is_displayed() and focused.location["y"] >= 0
        style = driver.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, s.boxShadow, s.backgroundColor];",
            focused,
        )
        assert style[0] != "none" or style[1] != "none" or style[2] != "rgba(0, 0, 0, 0)"
        focused.send_keys(Keys.ENTER)
        assert driver.switch_to.active_element.get_attribute("id") == "main"
        driver.find_element(By.CSS_SELECTOR, ".site-nav a").send_keys("")  # focus a nav link
        outline = driver.execute_script(
            "const a = document.querySelector('.site-nav a'); a.focus();"
            "return getComputedStyle(a).outlineStyle;"
        )
        assert outline != "none"


# The focus indicator of the focused element, against what is behind it (WCAG 2.1 SC 1.4.11:
# 3:1): the better of its outline and its box-shadow ring.
FOCUS_CONTRAST = """
const luminance = colour => {
  const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05); };
const element = document.activeElement, style = getComputedStyle(element);
let behind = 'rgb(255, 255, 255)';
for (let p = element.parentElement; p; p = p.parentElement) {
  const c = getComputedStyle(p).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)') { behind = c; break; } }
const rings = [style.outlineStyle !== 'none' ? style.outlineColor : null,
  ...(style.boxShadow.match(/rgba?\\([^)]*\\)/g) || [])].filter(Boolean);
const best = Math.max(0, ...rings.map(c => ratio(c, behind)));
return [element.outerHTML.slice(0, 80), best];
"""


@needs_browser
def test_every_focus_indicator_has_3_to_1_contrast(base: str) -> None:
    """Keyboard only: Tab through every page; each stop must show a visible indicator."""
    with chromium() as driver:
        for name, path in PAGES:
            driver.get(f"{base}/{path}")
            seen: set[str] = set()
            for _ in range(80):
                driver.switch_to.active_element.send_keys(Keys.TAB)
                element, contrast = driver.execute_script(FOCUS_CONTRAST)
                if element in seen or element.startswith("<body"):
                    break  # round the page once
                seen.add(element)
                assert contrast >= 3, f"{name}: {element}: focus indicator {contrast:.2f}:1"


def printed_text_colours(pdf: bytes) -> list[tuple[float, ...]]:
    """The colour (red, green, blue from 0 to 1) each text object of a PDF's content streams
    is drawn in: the last `rg` before its `BT`, black until one is given."""
    colours: list[tuple[float, ...]] = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            operators = zlib.decompress(stream.group(1))
        except zlib.error:
            continue  # an image or a font, not a page's drawing
        fill: tuple[float, ...] = (0.0, 0.0, 0.0)
        for m in re.finditer(rb"(?<![\w.])([\d.]+) ([\d.]+) ([\d.]+) rg\b|\bBT\b", operators):
            if m.group(1):
                fill = tuple(float(x) for x in m.groups())
            else:
                colours.append(fill)
    return colours


def contrast_on_white(rgb: tuple[float, ...]) -> float:
    """WCAG's contrast ratio of a colour with white paper."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@needs_browser
def test_every_printed_text_has_4_5_to_1_contrast_on_paper(base: str) -> None:
    """Browsers print without backgrounds unless told otherwise: text that is light on a dark
    band on screen (the header's) must come out dark on white paper."""
    with chromium() as driver:
        for name, path in PAGES:
            driver.get(f"{base}/{path}")
            pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
            colours = printed_text_colours(base64.b64decode(pdf["data"]))
            assert colours, name
            worst = min(contrast_on_white(colour) for colour in colours)
            assert worst >= 4.5, f"{name}: printed text at {worst:.2f}:1"


@needs_browser
def test_pages_reflow_at_200_percent_zoom_and_read_without_css(base: str) -> None:
    half = (DESKTOP[0] // 2, DESKTOP[1] // 2)  # 200% zoom of a desktop window
    with chromium(half) as driver:
        for name, path in PAGES:
            driver.get(f"{base}/{path}")
            assert driver.execute_script(HORIZONTAL_OVERFLOW) <= 1, name
            text = driver.execute_script(
                "for (const s of document.styleSheets) s.disabled = true;"
                "document.querySelectorAll('[style]').forEach(e => e.removeAttribute('style'));"
                "return document.body.innerText;"
            )
            heading = driver.find_element(By.TAG_NAME, "h1").text
            assert heading and heading in text, name
            assert text.index("Skip to main content") < text.index(heading), name


@needs_browser
def test_a_long_web_address_in_the_text_does_not_make_a_phone_scroll_sideways(
    tmp_path: Path,
) -> None:
    """WCAG 2.1 SC 1.4.10, reflow: addresses of provincial pages are long and have no spaces,
    and a fenced block keeps its long lines as written."""
    site = Site(tmp_path)
    url = (
        "https://www2.gov.bc.ca/gov/content/environment/air-land-water/air/"
        "air-quality/air-advisories"
    )
    schedule = "Glenmerry: Mon Dec 1, 8 am to 4 pm | Sunningdale: Tue Dec 2, 8 am to 4 pm | " * 2
    site.add("2026-11-20-a", body=f"Read the advisory at <{url}>.\n\n```\n{schedule}\n```\n")
    site.build()
    with serve(site.output) as base, chromium(PHONE) as driver:
        driver.get(f"{base}/announcements/2026-11-20-a.html")
        overflow = driver.execute_script(HORIZONTAL_OVERFLOW)
    assert overflow <= 1, f"the page is {overflow} px wider than the phone"


@needs_browser
def test_listing_cards_say_in_text_that_an_alert_is_urgent(tmp_path: Path) -> None:
    """WCAG 1.3.1 and 1.4.1: a red bar alone marks nothing for a screen reader or for someone
    who does not see red; the card says "Urgent", as the announcement's page does."""
    site = Site(tmp_path)
    site.add(
        "2026-11-20-a",
        category="alert",
        urgent="true",
        title="Boil water advisory",
        expires="2026-12-20 09:00",
    )
    site.build()
    with serve(site.output) as base, chromium(PHONE) as driver:
        for listing in ("index.html", "category/alert.html"):
            driver.get(f"{base}/{listing}")
            cards = driver.find_elements(By.CSS_SELECTOR, "article.card")
            assert cards, listing
            for card in cards:
                assert "card-urgent" in (card.get_attribute("class") or ""), listing  # the bar
                assert "Urgent" in card.find_element(By.CLASS_NAME, "card-meta").text, listing


@needs_browser
def test_make_screenshots_shows_the_whole_phone_home_page(base: str, tmp_path: Path) -> None:
    """Screenshots let a reviewer look without a browser: the sample home page is about
    7,300 px tall on a phone, and one cut at 6,000 px left out its last announcements, the
    feed links and the footer."""
    from checks import screenshots

    screenshots.main(tmp_path, [("home", "index.html")])
    with chromium(PHONE) as driver:
        driver.get(f"{base}/index.html")
        height = driver.execute_script("return document.documentElement.scrollHeight")
    assert height > 6000  # taller than the cut was
    shot = Image.open(tmp_path / "home-phone.png")
    assert (shot.width, shot.height) == (PHONE[0], height)


def test_make_screenshots_starts_as_make_runs_it(tmp_path: Path) -> None:
    """`make screenshots` runs `python -m checks.screenshots`, with no import path set up by
    invoke or pytest: it stopped at `from discovery import BUILD_MARK` with a traceback.
    Without a browser it says what is missing instead."""
    env = {**os.environ, "CHROMIUM": str(tmp_path / "no-chromium")}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [sys.executable, "-m", "checks.screenshots"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 1
    assert run.stderr.strip() == (
        f"screenshots: {tmp_path / 'no-chromium'} is missing: install Debian's chromium and "
        "chromium-driver"
    )
