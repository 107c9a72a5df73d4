"""适老化 and reflow in Chromium, on every public page type test_a11y.py lists.

工信部《互联网网站适老化通用设计规范》(2021) and WCAG 2.1 ask of pages read on
phones, many by elderly readers:

- 1.4.10 Reflow: at 320 CSS px wide (normal, 大字号, 关怀版) and at 200% browser
  zoom of a 1280 px window (a 640 px viewport at device scale 2) the page never
  scrolls sideways; only a box meant to scroll (a data table's ``.table-scroll``,
  an article table, the 焦点图 track) may be wider than the screen, inside itself.
- 1.4.12 Text spacing: with line-height 1.5, paragraph spacing 2em, letter spacing
  0.12em and word spacing 0.16em forced on every element, no box that hides its
  overflow cuts off text.
- 关怀版 (适老化 规范): body text at least 18 px, line-height at least 1.5; every
  control (links of menus and lists, buttons, form fields) at least 44×44 CSS px or
  spaced as such a target would be (a 44 px circle on its centre touches no other
  control). The normal version: at least 24×24 or so spaced (2.5.8). Targets in
  running text are excepted, as 2.5.8 excepts them: links in a paragraph or a table
  cell, and an article body's figure links and their ⓘ buttons.

Screenshots of the 320 px pages go to ``var/test-screenshots/reflow/``.
"""

import os
import sys

from tests.browser.live import ChromiumTestCase
from tests.browser.test_a11y import SCREENSHOTS, PublicPages

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

MODES = {
    "normal": {},
    "large": {"fontsize": "large"},
    "care": {"care": "1"},
}
REFLOW_SHOTS = SCREENSHOTS / "reflow"

# What stands wider than the viewport, outside a box that scrolls; and which boxes
# do scroll sideways (each must be one meant to: a table's box or the carousel).
OVERFLOW = """() => {
  const root = document.scrollingElement;
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a)) return true;
    }
    return false;
  };
  const wide = [];
  const scrollers = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 1 && !inScroller(el)) wide.push(name(el) + " " + Math.round(r.right));
    if (scrolls(el) && el.scrollWidth > el.clientWidth + 1) {
      const meant = el.matches(".table-scroll, .focus-track") ||
        (el.matches(".article .body table"));
      const holdsTable = el.matches("table") || el.querySelector("table") !== null;
      if (!meant || (el.matches(".table-scroll") && !holdsTable)) scrollers.push(name(el));
    }
  }
  const hidden = [document.documentElement, document.body]
    .filter((el) => !["visible", "auto"].includes(getComputedStyle(el).overflowX))
    .map(name);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          wide: wide.slice(0, 8), scrollers, hidden};
}"""

# WCAG 1.4.12's test styles. A constructed style sheet: the page's
# Content-Security-Policy forbids inline <style>, and this is the reader's style.
TEXT_SPACING = """() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`
    * { line-height: 1.5 !important; letter-spacing: .12em !important;
        word-spacing: .16em !important; }
    p { margin-bottom: 2em !important; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  return getComputedStyle(document.body).letterSpacing;
}"""

# Boxes that hide their overflow and have more text than they show.
CLIPPED = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const s = getComputedStyle(el);
    if (![s.overflowX, s.overflowY].some((o) => o === "hidden" || o === "clip")) continue;
    if (el.clientWidth <= 1 || el.clientHeight <= 1) continue;  // visually hidden
    if (!el.innerText || !el.innerText.trim()) continue;
    const tall = el.scrollHeight > el.clientHeight + 1 && s.overflowY !== "visible";
    const wide = el.scrollWidth > el.clientWidth + 1 && s.overflowX !== "visible";
    if (tall || wide) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ` +
               `${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight} ` +
               JSON.stringify(el.innerText.trim().slice(0, 20)));
    }
  }
  return out.slice(0, 8);
}"""

# 适老化 in 关怀版: every visible text at least 18 px (meta lines, captions, the
# footer, badges and table notes too; superscript marks such as a figure's ⓘ and a
# chart's SVG labels, which scale with the chart, excepted), and the page's
# own text and its paragraphs of running text a line-height of at least 1.5.
CARE_TEXT = """() => {
  const out = [];
  const report = (el, what) => out.push(
    `${el.tagName.toLowerCase()}.${el.className} ${what} ` +
    JSON.stringify((el.innerText ?? el.textContent).trim().slice(0, 16)));
  const shown = (el) => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden" &&
    !el.closest("sup, svg, .visually-hidden, script, style, noscript, template");
  const superscript = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).verticalAlign === "super") return true;
    }
    return false;
  };
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.trim() && node.parentElement) texts.add(node.parentElement);
  }
  for (const el of texts) {
    if (!shown(el) || superscript(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18 - 0.01) report(el, `${size}px`);
  }
  for (const el of [document.body, ...document.querySelectorAll("main p")]) {
    if (!el.innerText || !el.innerText.trim() || !shown(el)) continue;
    if (el.closest(".meta, figcaption")) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === "normal" ? 1.2 : parseFloat(s.lineHeight) / size;
    if (lh < 1.5 - 0.01) report(el, `line-height ${lh.toFixed(2)}`);
  }
  return out.slice(0, 8);
}"""

# Controls smaller than `min` CSS px whose `min` px circle reaches another control.
SMALL_TARGETS = """(min) => {
  const selector = [
    "nav a", "ul a", "ol a", ".reading-tools a", ".pagination a", ".month-nav a",
    ".language a", "button", "input:not([type=hidden])", "select", "textarea",
  ].join(", ");
  const seen = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest(".visually-hidden, .skip-link")) continue;
    // Targets in running text are excepted (2.5.8 "inline"): a link in a paragraph
    // or a table cell, and whatever an article's body has in its sentences (the
    // figure links and their ⓘ card buttons).
    if (el.matches("a") && el.closest("p, td, th")) continue;
    if (el.closest(".article .body")) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === "hidden") continue;
    seen.push({el, r, small: r.width < min - 0.5 || r.height < min - 0.5});
  }
  const centre = (r) => [r.left + r.width / 2, r.top + r.height / 2];
  const circleHitsRect = ([x, y], r) => {
    const dx = Math.max(r.left - x, 0, x - r.right);
    const dy = Math.max(r.top - y, 0, y - r.bottom);
    return dx * dx + dy * dy < (min / 2) * (min / 2);
  };
  const out = [];
  for (const t of seen) {
    if (!t.small) continue;
    const c = centre(t.r);
    const hit = seen.find((o) => o !== t && !o.el.contains(t.el) && !t.el.contains(o.el) && (
      circleHitsRect(c, o.r) ||
      (o.small && Math.hypot(c[0] - centre(o.r)[0], c[1] - centre(o.r)[1]) < min)));
    if (hit) {
      const text = (t.el.innerText || t.el.value || t.el.getAttribute("aria-label") || "").trim();
      out.push(`${t.el.tagName.toLowerCase()}.${t.el.className} ` +
               `${Math.round(t.r.width)}x${Math.round(t.r.height)} ` +
               JSON.stringify(text.slice(0, 12)) + " near " +
               JSON.stringify((hit.el.innerText || hit.el.value || "").trim().slice(0, 12)));
    }
  }
  return out.slice(0, 10);
}"""


class ReflowTests(PublicPages, ChromiumTestCase):
    def open(self, mode: str, width: int, scale: float = 1):
        context = self.browser.new_context(
            viewport={"width": width, "height": 800},
            device_scale_factor=scale,
            locale="zh-CN",
        )
        context.add_cookies(
            [
                {"name": name, "value": value, "url": self.live_server_url}
                for name, value in MODES[mode].items()
            ]
        )
        return context, context.new_page()

    def visit(self, page, path: str):
        response = page.goto(f"{self.live_server_url}{path}")
        self.assertIn(response.status, (200, 404), path)
        page.wait_for_load_state("load")

    def assert_reflows(self, page, path: str):
        found = page.evaluate(OVERFLOW)
        self.assertEqual(found["hidden"], [], f"{path}: overflow hidden on the page")
        self.assertLessEqual(
            found["scrollWidth"], found["clientWidth"] + 1, f"{path}: {found['wide']}"
        )
        self.assertEqual(found["scrollers"], [], f"{path}: scrolls but is no table")

    def test_no_sideways_scrolling_at_320px(self):
        REFLOW_SHOTS.mkdir(parents=True, exist_ok=True)
        for mode in MODES:
            context, page = self.open(mode, 320)
            for name, path in self.page_types().items():
                with self.subTest(page=name, mode=mode):
                    self.visit(page, path)
                    shot = REFLOW_SHOTS / f"{name}-{mode}-320.png"
                    page.screenshot(path=str(shot), full_page=True)
                    self.assert_reflows(page, path)
            context.close()
        print(f"\nScreenshots: {REFLOW_SHOTS}", file=sys.stderr)

    def test_no_sideways_scrolling_at_200_percent_zoom(self):
        """1280 px at 200%: the layout a 640 px window gets, drawn at scale 2."""
        for mode in MODES:
            context, page = self.open(mode, 640, scale=2)
            for name, path in self.page_types().items():
                with self.subTest(page=name, mode=mode):
                    self.visit(page, path)
                    self.assertEqual(page.evaluate("window.devicePixelRatio"), 2)
                    self.assert_reflows(page, path)
            context.close()

    def test_text_spacing_clips_no_text(self):
        for mode in MODES:
            context, page = self.open(mode, 320)
            for name, path in self.page_types().items():
                with self.subTest(page=name, mode=mode):
                    self.visit(page, path)
                    # The sheet applies: 0.12em of the body's font size.
                    spacing = page.evaluate(TEXT_SPACING)
                    self.assertNotEqual(spacing, "normal")
                    self.assertEqual(page.evaluate(CLIPPED), [], path)
                    self.assert_reflows(page, path)
            context.close()

    def test_care_mode_text_and_targets(self):
        """关怀版: 18 px text at line-height 1.5, 44×44 px controls, at a phone's
        and a desktop's width."""
        for width in (320, 1366):
            context, page = self.open("care", width)
            for name, path in self.page_types().items():
                with self.subTest(page=name, width=width):
                    self.visit(page, path)
                    self.assertEqual(page.evaluate(CARE_TEXT), [], path)
                    self.assertEqual(page.evaluate(SMALL_TARGETS, 44), [], path)
            context.close()

    def test_normal_targets_are_24px(self):
        for width in (320, 1366):
            context, page = self.open("normal", width)
            for name, path in self.page_types().items():
                with self.subTest(page=name, width=width):
                    self.visit(page, path)
                    self.assertEqual(page.evaluate(SMALL_TARGETS, 24), [], path)
            context.close()

    def checker_page(self):
        """A page with one of each fault the checks above look for."""
        page = self.browser.new_page(viewport={"width": 320, "height": 600})
        page.set_content(
            "<html><body><main>"
            '<div style="width:500px">wide</div>'
            '<div style="overflow:auto;width:100px"><div style="width:300px">x</div></div>'
            '<div style="overflow:hidden;height:20px;line-height:1">one<br>two</div>'
            '<p style="font-size:14px">small text</p>'
            '<nav><a href="#" style="font-size:12px">a</a>'
            '<a href="#" style="font-size:12px">b</a></nav>'
            "</main></body></html>"
        )
        return page

    def test_the_reflow_check_finds_a_wide_page(self):
        page = self.checker_page()
        found = page.evaluate(OVERFLOW)
        self.assertGreater(found["scrollWidth"], found["clientWidth"] + 1)
        self.assertEqual(found["scrollers"], ["div"])
        page.close()

    def test_the_text_spacing_check_applies_and_finds_clipped_text(self):
        page = self.checker_page()
        self.assertEqual(len(page.evaluate(CLIPPED)), 1)
        page.evaluate(TEXT_SPACING)
        spacing = page.evaluate(
            """() => { const s = getComputedStyle(document.querySelector("p"));
                 return [parseFloat(s.letterSpacing), parseFloat(s.lineHeight),
                         parseFloat(s.marginBottom)]; }"""
        )
        self.assertAlmostEqual(spacing[0], 14 * 0.12, places=1)
        self.assertAlmostEqual(spacing[1], 14 * 1.5, places=1)
        self.assertAlmostEqual(spacing[2], 14 * 2, places=1)
        page.close()

    def test_the_care_checks_find_small_text_and_targets(self):
        page = self.checker_page()
        self.assertNotEqual(page.evaluate(CARE_TEXT), [])
        self.assertEqual(len(page.evaluate(SMALL_TARGETS, 24)), 2)
        page.close()
