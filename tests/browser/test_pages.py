"""Every main page opens cleanly, the API docs draw from local files, and a phone gets no sideways scroll."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# (test id, path, a selector that must be visible, text it must contain)
PAGES = [
    ("home", "/", "section.tiles .tile", "63"),
    ("units", "/units/", "p.count", "34"),
    ("units-legacy", "/units/?as_of=2024-06-30", "p.count", "63"),
    ("indicators", "/indicators/", 'main a[href="/indicators/INF.HOUSEHOLD_FIXED_BB/"]', "cáp quang"),
    ("indicator", "/indicators/INF.HOUSEHOLD_FIXED_BB/", "dl.definition dd.code", "INF.HOUSEHOLD_FIXED_BB"),
    ("documents", "/documents/", 'main a[href^="/documents/"]', "Than Uyên"),
    ("document", "{document}", "article.doc-text mark", "24,3%"),
    ("unit", "{tua_chua}", "main h1", "Huyện Tủa Chùa"),
    ("search", "/search/?q=tua+chua", "ol.hits", "Huyện Tủa Chùa"),
]


@pytest.mark.parametrize(("path", "selector", "text"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_main_page_loads_without_errors(web, places, path, selector, text):
    path = path.format(**places)
    response = web.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    expect(web.page.locator("html")).to_have_attribute("lang", "vi")
    expect(web.page.locator(selector).filter(has_text=text).first).to_be_visible()
    web.shot("page")
    web.assert_clean(path)


def test_api_docs_draw_swagger_ui_from_local_files(web):
    response = web.goto("/api/docs")
    assert response.status == 200
    # Swagger UI draws the title and the operations once its bundle ran and read the schema; the
    # server builds the schema on the first request of its life, which takes a few seconds.
    expect(web.page.locator("#swagger-ui .swagger-ui .info .title")).to_contain_text(
        "dxmonitor API", timeout=20_000
    )
    expect(web.page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert web.page.locator("#swagger-ui .opblock").count() >= 10
    scripts = web.page.eval_on_selector_all(
        "script[src], link[rel=stylesheet]", "els => els.map(e => e.src || e.href)"
    )
    assert scripts and all(s.startswith(web.server.url) for s in scripts), scripts
    web.shot("swagger")
    web.assert_clean("/api/docs")


@pytest.mark.parametrize("path", ["/", "{tua_chua}", "{document}"], ids=["home", "unit", "document"])
def test_phone_page_has_no_sideways_scroll(phone, places, path):
    phone.goto(path.format(**places))
    phone.shot("360")
    width = phone.page.evaluate("document.documentElement.clientWidth")
    scroll_width = phone.page.evaluate("document.documentElement.scrollWidth")
    overflowing = phone.page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth + 1;
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.right <= limit) continue;
                // Inside a scrolling wrapper the overflow is intended (wide tables).
                let p = el.parentElement, scrolled = false;
                while (p && p !== document.body) {
                    const s = getComputedStyle(p).overflowX;
                    if (s === 'auto' || s === 'scroll' || s === 'hidden') { scrolled = true; break; }
                    p = p.parentElement;
                }
                if (!scrolled) out.push(
                    `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
            }
            return out.slice(0, 10);
        }"""
    )
    assert width == 360
    assert scroll_width <= width + 2, (
        f"the page scrolls sideways ({scroll_width} px); overflowing: {overflowing}"
    )
    # The header's search box stays usable.
    search = phone.page.locator("header form.search input[name=q]")
    box = search.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    # Tables of figures scroll inside their own wrapper instead of squeezing their columns
    # into slivers (which made each row several screens tall).
    narrowest = phone.page.evaluate(
        """() => {
            const widths = sel =>
                [...document.querySelectorAll(sel)].map(td => td.getBoundingClientRect().width);
            return {
                first: Math.min(...widths('table.values tbody td:first-child')),
                source: Math.min(...widths('table.values tbody td.source')),
            };
        }"""
    )
    if phone.page.locator("table.values").count():
        assert narrowest["first"] >= 120 and narrowest["source"] >= 200, narrowest
    phone.assert_clean()
