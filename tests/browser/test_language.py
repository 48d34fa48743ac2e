"""Vietnamese by default, English on request, and back; the data stays in Vietnamese either way."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _switch(web, code: str) -> None:
    button = web.page.locator(f"header form.lang button[value={code}]")
    with web.page.expect_navigation():
        button.click()
    expect(web.page.locator(f"header form.lang button[value={code}]")).to_have_attribute(
        "aria-current", "true"
    )


def test_language_switch_between_vietnamese_and_english(web, places):
    html = web.page.locator("html")
    nav = web.page.locator("header nav")
    web.goto(places["tua_chua"])
    expect(html).to_have_attribute("lang", "vi")
    expect(web.page.locator("header form.lang button.on")).to_have_text("VI")
    expect(web.page.locator("main h1")).to_have_text("Huyện Tủa Chùa")
    expect(web.page.locator("td.num").filter(has_text="24,3%")).to_have_count(1)

    _switch(web, "en")
    expect(html).to_have_attribute("lang", "en")
    # The switch comes back to the page it was pressed on.
    assert web.page.url == web.url(places["tua_chua"])
    expect(nav).to_contain_text("Administrative units")
    expect(nav).to_contain_text("Indicators")
    expect(nav).to_contain_text("Sources")
    expect(web.page.locator("main h2").first).to_have_text("Since 1 July 2025 its territory belongs to")
    # Names are not translated; numbers take the English format.
    expect(web.page.locator("main h1")).to_have_text("Huyện Tủa Chùa")
    expect(web.page.locator("td.num").filter(has_text="24.3%")).to_have_count(1)
    web.shot("english")

    # The choice is remembered on other pages.
    web.goto("/units/")
    expect(html).to_have_attribute("lang", "en")
    expect(web.page.locator("main h1")).to_have_text("Administrative units")

    _switch(web, "vi")
    expect(html).to_have_attribute("lang", "vi")
    assert web.page.url == web.url("/units/")
    expect(web.page.locator("header form.lang button.on")).to_have_text("VI")
    web.goto(places["tua_chua"])
    expect(html).to_have_attribute("lang", "vi")
    expect(web.page.locator("td.num").filter(has_text="24,3%")).to_have_count(1)
    web.shot("vietnamese")
    web.assert_clean()
    # Last, as the Vietnamese catalogue is being written: the interface text itself is Vietnamese.
    expect(nav).to_contain_text("Đơn vị hành chính")
    expect(nav).not_to_contain_text("Administrative units")
