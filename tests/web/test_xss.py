"""Hostile email content opened in a real browser: nothing executes, nothing is injected."""

from __future__ import annotations

from tests.web.conftest import sign_in
from tests.web.server import question

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-onerror')\">",
    "<svg onload=\"alert('xss-svg')\"><script>alert(1)</script></svg>",
    '<a href="javascript:alert(\'xss-link\')" id="xss-link">click</a>',
    '<div style="width: expression(alert(\'xss-css\'))" id="xss-css">css</div>',
    "<iframe src=\"javascript:alert('xss-frame')\"></iframe>",
    "\"><body onload=alert('xss-attr')>",
]
ALL = " ".join(PAYLOADS)
HTML_BODY = (
    "<html><head><style>body{background:url(javascript:alert(1))}</style>"
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head><body>'
    f"<p>Question about E11.42</p>{ALL}"
    '<a href="https://example.org/help">a fine link</a>'
    '<form action="https://evil.example"><input name=x></form>'
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mxss')>"
    "</body></html>"
)


def hostile_case(console) -> int:
    return console.ask(
        question(
            f"Help {PAYLOADS[0]} {PAYLOADS[1]}",
            f"Plain text body with E11.42 and {ALL}\n\n-- \nSignature {PAYLOADS[2]}",
            sender=f'"Eve {PAYLOADS[1]}" <eve@clinic.example>',
            html=HTML_BODY,
            attachments=[
                (f"{PAYLOADS[0]}.pdf", "application/pdf", b"%PDF-1.4 test"),
                ("<img src=x onerror=alert(2)>.html", "text/html", b"<script>alert(3)</script>"),
                ("drawing.svg", "image/svg+xml", b"<svg onload='alert(4)'></svg>"),
            ],
        )
    )


def assert_inert(page) -> None:
    """No element that the payloads would create exists in the page."""
    page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
    for selector in (
        "script:not([src='/static/live-preview.js'])",  # the console's one script, and no other
        "iframe",
        "svg",
        "img",
        "math",
        "style",
        "meta[http-equiv]",
        "[onerror]",
        "[onload]",
        "[style]",
        "a[href^='javascript']",
        "#xss-link",
        "form[action^='https://evil']",
    ):
        assert page.locator(selector).count() == 0, selector
    assert page.evaluate("document.body.getAttribute('onload')") is None


def test_script_payloads_in_email_never_run(console, new_page):
    case_id = hostile_case(console)
    console.user("coder@desk.example")
    dialogs: list[str] = []
    page = new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "coder@desk.example")
    assert_inert(page)
    assert "<script>" in page.locator(f"tr[data-case='{case_id}'] a.subject").inner_text()

    response = page.goto(f"/cases/{case_id}")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp  # no inline script, ever
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.click("#claim")
    assert_inert(page)
    # The payloads are visible as text, so a coder sees what was sent.
    assert "onerror=" in page.locator("pre.new-text").inner_text()
    assert "Eve <img" in page.locator("article.message .from").first.inner_text()
    assert page.locator("a[href='https://example.org/help']").count() == 1
    names = page.locator("ul.attachments a").all_inner_texts()
    assert names[0] == f"{PAYLOADS[0]}.pdf"
    # The draft quotes the question: preview it, still inert.
    page.click("button[value=preview]")
    assert_inert(page)
    assert dialogs == []


def test_attachments_only_download(console, new_page):
    case_id = hostile_case(console)
    console.user("coder@desk.example")
    page = new_page()
    sign_in(page, "coder@desk.example")
    page.goto(f"/cases/{case_id}")
    links = page.locator("ul.attachments a")
    assert links.count() == 3
    for index in range(3):
        href = links.nth(index).get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["x-content-type-options"] == "nosniff"
    with page.expect_download() as download:
        links.nth(1).click()
    assert download.value.suggested_filename.endswith(".html")
