"""The review queue of facts read from the seed articles: evidence highlighted, accept, correct."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _log_in(web) -> None:
    web.goto("/login/?next=/extract/")
    form = web.page.locator("main form")
    form.locator("input[name=username]").fill(web.server.username)
    form.locator("input[name=password]").fill(web.server.password)
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert web.page.url.endswith("/extract/"), web.page.url


def _open_tua_chua_article(web) -> None:
    # The demo read the five seed articles into the queue; the Tủa Chùa one starts "ĐBP - …".
    rows = web.page.locator("table.review-queue tbody tr")
    expect(rows).to_have_count(5)
    with web.page.expect_navigation():
        web.page.locator("table.review-queue a", has_text=re.compile(r"^ĐBP")).click()
    expect(web.page.locator("ol.proposals > li").first).to_be_visible()


def test_accept_a_fact_after_checking_its_evidence(web):
    page = web.page
    _log_in(web)
    web.shot("queue")
    _open_tua_chua_article(web)
    web.shot("review")

    fact = page.locator("ol.proposals > li", has=page.locator(".fact-value", has_text="24,3%"))
    expect(fact).to_have_count(1)
    expect(fact).to_have_attribute("data-status", "pending")
    expect(fact.locator(".fact-unit")).to_have_text("Huyện Tủa Chùa")
    expect(fact.locator(".code")).to_have_text("INF.HOUSEHOLD_FIXED_BB")

    # The evidence link lands on the highlighted quote in the article.
    fact.locator("a.evidence-link").click()
    target = page.locator("article.doc-text mark:target")
    expect(target).to_have_count(1)
    expect(target).to_contain_text("hộ gia đình kết nối internet băng rộng đạt 24,3%")
    expect(target).to_be_in_viewport()

    fact_id = fact.get_attribute("data-fact")
    with page.expect_navigation():
        fact.locator("button.accept").click()
    done = page.locator(f"#fact{fact_id}")
    expect(done).to_have_attribute("data-status", "accepted")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    web.shot("accepted")

    # The accepted fact is a value whose source is the article, quoting its words.
    with page.expect_navigation():
        done.locator("a[href^='/values/']").click()
    expect(page.locator("main")).to_contain_text("24,3%")
    expect(page.locator("main")).to_contain_text("hộ gia đình kết nối internet băng rộng đạt 24,3%")
    web.shot("value")
    web.assert_clean()


def test_correct_a_fact_then_accept_it(web):
    page = web.page
    _log_in(web)
    _open_tua_chua_article(web)
    fact = page.locator("ol.proposals > li", has=page.locator(".fact-value", has_text="39%"))
    expect(fact).to_have_count(1)
    fact_id = fact.get_attribute("data-fact")
    fact.locator("details.edit summary").click()
    form = fact.locator("form.edit-form")
    expect(form.locator("select[name=indicator]")).to_have_value("SOC.SMARTPHONE_ADULT")
    form.locator("input[name=value]").fill("41,5")
    form.locator("input[name=period]").fill("2022")
    web.shot("correcting")
    with page.expect_navigation():
        form.locator("button[value=accept]").click()
    done = page.locator(f"#fact{fact_id}")
    expect(done).to_have_attribute("data-status", "accepted")
    expect(done.locator(".fact-value")).to_have_text("41,5%")

    # A correction the checks refuse keeps the fact pending, with the reason shown on it.
    other = page.locator(
        "ol.proposals > li[data-status=pending]", has=page.locator(".fact-value", has_text="53,6%")
    )
    other_id = other.get_attribute("data-fact")
    other.locator("details.edit summary").click()
    other.locator("input[name=value]").fill("153,6")
    with page.expect_navigation():
        other.locator("button[value=accept]").click()
    refused = page.locator(f"#fact{other_id}")
    expect(refused).to_have_attribute("data-status", "pending")
    expect(refused.locator(".problem")).to_contain_text("100")
    expect(refused.locator(".fact-value")).to_have_text("53,6%")  # the refused correction is not kept
    web.shot("refused-correction")

    with page.expect_navigation():
        done.locator("a[href^='/values/']").click()
    expect(page.locator("main")).to_contain_text("41,5%")
    web.assert_clean()
