"""A source article shows its evidence highlighted, and its list of figures leads to each quote."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARKS_AND_FACTS = """() => {
    const marks = [...document.querySelectorAll('article.doc-text mark')].map(m => ({
        id: m.id, text: m.textContent, codes: m.title.trim().split(/\\s+/).filter(Boolean),
    }));
    const facts = [...document.querySelectorAll('ol.facts-list > li')].map(li => ({
        href: li.querySelector('a[href^="#"]').getAttribute('href'), text: li.textContent.trim(),
    }));
    return {marks, facts};
}"""


def test_document_highlights_every_fact_and_list_leads_to_its_mark(web, places):
    web.goto(places["document"])
    marks = web.page.locator("article.doc-text mark")
    facts = web.page.locator("aside ol.facts-list > li")
    expect(marks.first).to_be_visible()
    found = web.page.evaluate(MARKS_AND_FACTS)
    n_facts = len(found["facts"])
    assert n_facts >= 10, n_facts
    expect(web.page.locator("aside h2 .sub")).to_have_text(f"({n_facts})")
    # Facts quoting the very same words share one mark; each mark names the indicators it supports,
    # so the marks together name every fact exactly once.
    assert sum(len(m["codes"]) for m in found["marks"]) == n_facts
    assert all(m["id"] and m["text"].strip() for m in found["marks"])

    fact = facts.filter(has_text="24,3%")
    expect(fact).to_have_count(1)
    link = fact.locator("a[href^='#q']")
    anchor = link.get_attribute("href")
    link.click()
    expect(web.page).to_have_url(re.compile(re.escape(anchor) + "$"))
    target = web.page.locator("article.doc-text mark:target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", anchor[1:])
    expect(target).to_contain_text("24,3%")
    expect(target).to_be_in_viewport()
    web.shot("clicked-fact", full_page=False)

    # Another fact, further up the text: the page scrolls back to it.
    first_link = facts.first.locator("a[href^='#q']")
    first_anchor = first_link.get_attribute("href")
    first_link.click()
    expect(web.page.locator("article.doc-text mark:target")).to_have_attribute("id", first_anchor[1:])
    expect(web.page.locator(first_anchor)).to_be_in_viewport()
    web.assert_clean()


def test_every_evidence_link_lands_on_its_highlighted_quote(web, server_json):
    """Links to a quote come from the article's own list (#q<anchor>) and from unit, indicator and value
    pages (/documents/<id>/#q<evidence start>); both must land in a mark that holds the whole quote,
    also when two quotes overlap and are shown as one mark."""
    documents = server_json("/api/v1/documents")["items"]
    assert len(documents) == 5, documents
    problems = []
    checked = 0
    for document in documents:
        web.goto(document["page_url"])
        found = web.page.evaluate(MARKS_AND_FACTS)
        marks = {m["id"] for m in found["marks"]}
        problems += [
            f"{document['page_url']}: list link {f['href']} has no mark"
            for f in found["facts"]
            if f["href"][1:] not in marks
        ]
        values = server_json(f"/api/v1/values?document={document['id']}&limit=200")["items"]
        assert len(values) == document["values_count"] == len(found["facts"])
        for value in values:
            evidence = value["provenance"]["evidence"]
            if evidence is None or evidence.get("start") is None:
                continue
            checked += 1
            anchor = f"q{evidence['start']}"
            holds = web.page.evaluate(
                """([anchor, quote]) => {
                    const el = document.getElementById(anchor);
                    const mark = el && el.closest('article.doc-text mark');
                    return mark ? mark.textContent.includes(quote) : null;
                }""",
                [anchor, evidence["quote"]],
            )
            if holds is None:
                problems.append(f"{document['page_url']}#{anchor}: no mark for {value['indicator']['code']}")
            elif not holds:
                problems.append(
                    f"{document['page_url']}#{anchor}: the mark lacks the quote {evidence['quote']!r}"
                )
    assert checked >= 40, checked
    assert not problems, "\n".join(problems)
    web.assert_clean()
