"""The page frame in a real browser (Playwright driving Debian's chromium): a compact
header on a phone with its menu behind a disclosure that works without JavaScript, a focus
ring that stands out (WCAG 2.2: at least 3:1 against what it is drawn on), the favicon,
the signed-in account's name, and scrollable tables reachable from the keyboard."""

import os

import pytest

from conftest import login, run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "screenshots")
PHONE = {"width": 390, "height": 844}


def docs_screenshot(page, name, height):
    """A screenshot for the documentation, kept small: the top `height` pixels."""
    path = screenshot(page, name)
    if os.environ.get("ADUAN_DOCS_SCREENSHOTS"):
        width = page.viewport_size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=os.path.join(DOCS, f"{name}.png"), clip=clip)
    return path


def luminance(rgb) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The focused element's outline colour and the colour behind the ring: the first opaque
# background among its ancestors (the ring is drawn outside the element, offset by 2px).
FOCUS_COLOURS = """() => {
  const el = document.activeElement;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const style = getComputedStyle(el);
  let parent = el.parentElement, behind = [255, 255, 255];
  while (parent) {
    const colour = rgb(getComputedStyle(parent).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { behind = colour.slice(0, 3); break; }
    parent = parent.parentElement;
  }
  return {focus: el.matches(":focus"), id: el.id, tag: el.tagName, text: (el.innerText || el.value || "").slice(0, 30),
          outline: rgb(style.outlineColor).slice(0, 3), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), behind};
}"""


def focus_stops(page, count):
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_COLOURS)
        if stop["tag"] == "BODY":
            break
        stops.append(stop)
    return stops


def header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def test_the_header_is_one_compact_row_on_a_phone_and_its_menu_opens_without_javascript(
    browser, live_server, world
):
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        login(page, "warga")
        page.goto("/")
        assert header_height(page) <= 70
        menu = page.locator("summary.site-menu-button")
        assert menu.is_visible()
        # The links wait behind the disclosure; the report link stays in the row.
        nav = page.locator("header nav.site-nav")
        assert not nav.get_by_role("link", name="Laporan publik").is_visible()
        assert page.locator(".header-cta").is_visible()
        docs_screenshot(page, "header-phone", 240)

        menu.click()
        assert nav.get_by_role("link", name="Laporan publik").is_visible()
        assert nav.get_by_role("link", name="Laporan saya").is_visible()
        assert page.get_by_role("button", name="Keluar").is_visible()
        assert page.get_by_role("button", name="English").is_visible()
        docs_screenshot(page, "header-phone-menu-open", 420)
        nav.get_by_role("link", name="Laporan publik").click()
        page.wait_for_url("**/laporan/")
        assert header_height(page) <= 70
    finally:
        context.close()


def test_the_header_is_one_row_on_a_desktop_with_every_link_and_the_accounts_name(page, world):
    world.officer.first_name, world.officer.last_name = "Rina", "Wulandari"
    world.officer.save(update_fields=["first_name", "last_name"])
    login(page, "petugas_pu")
    page.goto("/")
    assert header_height(page) <= 70
    assert not page.locator("summary.site-menu-button").is_visible()
    assert not page.locator(".header-cta").is_visible()
    nav = page.get_by_role("navigation", name="Navigasi utama")
    for name in ("Laporkan", "Lacak", "Laporan publik", "Statistik", "Ruang kerja", "Dasbor"):
        assert nav.get_by_role("link", name=name).is_visible()
    # The account's name, never its username.
    header = page.locator("header.site-header")
    assert "Masuk sebagai Rina Wulandari" in header.inner_text()
    assert "petugas_pu" not in header.inner_text()
    # The focus ring on the header's blue, two tabs in (past the skip link).
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    docs_screenshot(page, "header-desktop", 160)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_focus_ring_has_3_to_1_contrast_on_everything_it_is_drawn_on(
    browser, live_server, world, width
):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": width, "height": 844}
    )
    page = context.new_page()
    try:
        world.report_in("dispositioned")
        for path in ("/", "/lacak/", "/laporan/", "/statistik/"):
            page.goto(path)
            stops = focus_stops(page, 25)
            assert len(stops) >= 5, path
            for stop in stops:
                assert stop["style"] == "solid" and stop["width"] >= 2, (path, stop)
                ratio = contrast(stop["outline"], stop["behind"])
                assert ratio >= 3, (path, stop, round(ratio, 2))
        page.goto("/")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        if width == 1280:
            screenshot(page, "focus-ring-header")
    finally:
        context.close()


def test_every_page_links_the_favicon_and_the_icons_are_served(page, world):
    page.goto("/")
    icons = page.locator("link[rel=icon]")
    types = sorted(icons.evaluate_all("links => links.map(l => l.type)"))
    assert types == ["image/png", "image/svg+xml"]
    for href in icons.evaluate_all("links => links.map(l => l.href)"):
        response = page.request.get(href)
        assert response.ok, href
        assert response.headers["content-type"].split(";")[0] in ("image/png", "image/svg+xml")
    response = page.request.get("/favicon.ico")
    assert response.ok
    assert response.headers["content-type"] == "image/png"


def test_a_table_wider_than_a_phone_is_reached_and_scrolled_from_the_keyboard(
    browser, live_server, world
):
    world.report_in("dispositioned")
    run_tasks()
    context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto("/statistik/")
        regions = page.locator(".table-scroll")
        assert regions.count() >= 1
        for index in range(regions.count()):
            region = regions.nth(index)
            assert region.get_attribute("tabindex") == "0"
            assert region.get_attribute("role") == "region"
            assert region.get_attribute("aria-label").strip()
        wide = page.locator(".table-scroll:visible").filter(has=page.locator("table.performance"))
        assert wide.evaluate("el => el.scrollWidth > el.clientWidth")
        name = wide.get_attribute("aria-label")
        # Tab reaches the region itself (not only the links in its table) ...
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('table-scroll')"):
                break
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == name
        assert page.get_by_role("region", name=name, exact=True).is_visible()
        # ... and the arrow keys scroll it.
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # (Polled from here: wait_for_function evaluates a string in the page, which the
        # Content-Security-Policy forbids.)
        for _ in range(40):
            if page.evaluate("document.activeElement.scrollLeft") > 0:
                break
            page.wait_for_timeout(50)
        assert page.evaluate("document.activeElement.scrollLeft") > 0
        screenshot(page, "table-region-focused-phone")
    finally:
        context.close()
