"""Placing the caret in the rich-text editor (ProseMirror) from a browser test.

A click followed by key chords such as End or Shift+Home is not reliable: the click's
caret reaches ProseMirror through an asynchronous ``selectionchange`` and the chords
depend on the platform and on line wrapping (both seen failing on the CI machine).
These helpers set the DOM selection directly, as a mouse drag would, and wait until
the editor has taken it before the test types.
"""

PLACE = """([element, collapse]) => {
  element.closest("[contenteditable=true]").focus();
  const range = document.createRange();
  range.selectNodeContents(element);
  if (collapse) range.collapse(false);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""

# selectionchange is a queued task: two animation frames later ProseMirror has read it.
SETTLE = (
    "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
)


def _place(page, locator, *, collapse):
    locator.wait_for()
    handle = locator.element_handle()
    page.evaluate(PLACE, [handle, collapse])
    page.wait_for_function(
        "(el) => { const s = window.getSelection();"
        " return s.rangeCount > 0 && el.contains(s.anchorNode); }",
        arg=handle,
    )
    page.evaluate(SETTLE)


def caret_at_end(page, locator):
    """Put the caret after the last character of ``locator`` (a block in the editor)."""
    _place(page, locator, collapse=True)


def select_contents(page, locator):
    """Select all the text of ``locator``, so that typing replaces it."""
    _place(page, locator, collapse=False)
