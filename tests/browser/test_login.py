"""Logging in, refusing a wrong password, and editing an indicator definition with its change history."""

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INDICATOR = "/indicators/INF.HOUSEHOLD_FIXED_BB/"


def _open_login(web) -> None:
    with web.page.expect_navigation():
        web.page.locator("header .who a").click()
    assert "/login/" in web.page.url
    expect(web.page.locator("main form input[name=password]")).to_be_visible()


def _submit_login(web, username: str, password: str) -> None:
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_wrong_password_is_refused(web):
    web.goto(INDICATOR)
    _open_login(web)
    _submit_login(web, web.server.username, web.server.password + "-wrong")
    assert "/login/" in web.page.url
    expect(web.page.locator("main .errors[role=alert]")).to_be_visible()
    expect(web.page.locator("header .who a[href^='/login/']")).to_be_visible()
    expect(web.page.locator("header .who")).not_to_contain_text(web.server.username)
    web.shot("refused")
    web.goto(INDICATOR)
    expect(web.page.locator(f"a.button[href='{INDICATOR}edit/']")).to_have_count(0)
    assert web.page.goto(web.url(f"{INDICATOR}edit/")).url.startswith(web.url("/login/"))
    web.assert_clean()


def test_login_then_edit_indicator_records_the_change(web):
    web.goto(INDICATOR)
    expect(web.page.locator(f"a.button[href='{INDICATOR}edit/']")).to_have_count(0)
    _open_login(web)
    _submit_login(web, web.server.username, web.server.password)
    # Back on the page the login started from, with the user named in the header.
    assert web.page.url == web.url(INDICATOR)
    expect(web.page.locator("header .who span")).to_have_text(web.server.username)
    edit = web.page.locator(f"a.button[href='{INDICATOR}edit/']")
    expect(edit).to_be_visible()

    old_name = web.page.locator("dl.definition dd").nth(2).inner_text().strip()
    new_name = f"Households on fixed broadband (fibre) {int(time.time()) % 100000}"
    with web.page.expect_navigation():
        edit.click()
    name_en = web.page.locator("input[name=name_en]")
    expect(name_en).to_have_value(old_name)
    expect(web.page.locator("input[name=code]")).to_be_disabled()
    name_en.fill(new_name)
    web.shot("form")
    with web.page.expect_navigation():
        web.page.locator("main form.form button[type=submit]").click()

    assert web.page.url == web.url(INDICATOR), web.page.locator("main").inner_text()[:500]
    expect(web.page.locator("ul.messages li")).to_contain_text("INF.HOUSEHOLD_FIXED_BB")
    expect(web.page.locator("dl.definition dd").nth(2)).to_have_text(new_name)
    # The history table closes the page.
    change = web.page.locator("main section:last-of-type table tbody tr").filter(has_text=new_name)
    expect(change).to_have_count(1)
    expect(change).to_contain_text("name_en")
    expect(change).to_contain_text(old_name[:40])
    expect(change).to_contain_text(web.server.username)
    expect(change).to_contain_text("nhập qua biểu mẫu")  # the channel, in the page's language
    change.scroll_into_view_if_needed()
    web.shot("saved")
    web.assert_clean()
