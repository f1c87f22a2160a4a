"""What every screen must withstand, as checks any browser test can call on the page it is on.

- ``axe_violations(page)``: axe-core (WCAG 2.1 A and AA, and best practices) finds nothing;
- ``overflow(page)``: nothing is wider than the window (WCAG 1.4.10 Reflow: no horizontal scrolling
  at 320 CSS px) and nothing visible sticks out past its right edge;
- ``large_text(page)``: the browser's default font size at 24 px, as a phone set to large text
  (WCAG 1.4.4 Resize text), through Chromium's own setting rather than a style sheet of ours.
"""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}


def axe_violations(page, within: str = "") -> list[str]:
    """axe-core's violations on the page as it is now, one line each (empty when clean).
    ``within``: a CSS selector, to check only our own part of a page (in the admin, Wagtail's
    own markup is Wagtail's to fix)."""
    # Evaluated, not added as a <script>: the Content-Security-Policy (script-src 'self') refuses
    # an inline script tag, and what the test itself evaluates is not the page's to refuse.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        "([within, options]) => axe.run(within ? document.querySelector(within) : document, options)",
        [within, AXE_OPTIONS],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


_OVERFLOW = """() => {
    const width = window.innerWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width) {
        found.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
    }
    // A wide data table may scroll sideways in its own box (WCAG 1.4.10 excepts content that
    // needs two dimensions); what is inside such a box is not off the page.
    const inScroller = (element) => {
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
            const x = getComputedStyle(parent).overflowX;
            if (x === 'auto' || x === 'scroll') return true;
        }
        return false;
    };
    for (const element of document.body.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || style.position === 'fixed') continue;
        // Off-screen on purpose (a skip link, a visually hidden label): left of the window.
        if (box.right <= 0 || box.left < -1) continue;
        if (box.right > width + 1 && !inScroller(element)) {
            const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
                (element.className && typeof element.className === 'string' ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
            found.push(`${name} ends at ${Math.round(box.right)}px`);
            if (found.length > 10) break;
        }
    }
    return found;
}"""


def overflow(page) -> list[str]:
    """What runs off the right edge of the window (empty when the page reflows)."""
    return page.evaluate(_OVERFLOW)


def large_text(page, size: int = 24) -> None:
    """Set the browser's default font size, as a person does in their phone's or browser's
    settings (Chromium's "font size"); takes effect from the next page load on."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": size - 3}})


def csp_violations(page) -> list[str]:
    """What the page's Content-Security-Policy blocked since it was loaded, one line each (empty
    when nothing was): an inline script, style or ``on…`` handler, or a script, image, font or
    frame from a host the policy does not allow.

    Chromium reports each violation on the console (now "… violates the following Content
    Security Policy directive …", formerly "Refused to …"), in the page and in its frames;
    Playwright keeps the console messages of the page as it is now, so this can be called after
    the fact, without listening from before the load. A ``<script type="application/ld+json">``
    is data, not run: it is not reported."""
    found = []
    for message in page.console_messages():
        text = message.text
        if "Content Security Policy" not in text and not text.startswith("Refused to "):
            continue
        where = message.location or {}
        found.append(f"{text} — {where.get('url', '')}:{where.get('lineNumber', '')}")
    return found
