/* The body editor's labels, in the admin's language (django-prose-editor).
 *
 * The package passes its dialog texts through gettext: the JavaScript catalog that
 * the admin change form loads (admin:jsi18n, which includes our
 * locale/<lang>/LC_MESSAGES/djangojs.po) translates them. Its menu buttons and the
 * block-type options carry fixed English labels instead ("Heading 2", "bold"); this
 * extension gives them translatable ones. It also replaces the table dialog's
 * Yes/No select, whose option texts are its values, with a checkbox.
 *
 * It also hands tiptap the page's CSP nonce for the styles it injects.
 *
 * Registered in settings.DJANGO_PROSE_EDITOR_EXTENSIONS and switched on in
 * news/forms.py (BODY_EDITOR_EXTENSIONS).
 */
import {
  Extension,
  gettext,
  updateAttrsDialog,
} from "django-prose-editor/editor"

// Menu item names, as the package defines them, and their labels (msgids).
const LABELS = {
  heading2: "Heading 2",
  heading3: "Heading 3",
  paragraph: "Paragraph",
  bulletList: "Bulleted list",
  orderedList: "Numbered list",
  orderedListProperties: "List properties",
  blockquote: "Block quote",
  horizontalRule: "Horizontal rule",
  figure: "Figure with caption",
  bold: "Bold",
  italic: "Italic",
  underline: "Underline",
  strike: "Strikethrough",
  subscript: "Subscript",
  superscript: "Superscript",
  link: "Insert link",
  unlink: "Remove link",
  table: "Insert Table",
  "table:addColumnAfter": "Add column",
  "table:deleteColumn": "Delete column",
  "table:addRowAfter": "Add row",
  "table:deleteRow": "Delete row",
  "table:mergeCells": "Merge cells",
  "table:splitCell": "Split cell",
  "table:toggleHeaderCell": "Toggle header cell",
  "table:deleteTable": "Delete table",
  "history:undo": "Undo",
  "history:redo": "Redo",
  html: "Edit HTML",
}

// The menu groups the items above belong to.
const GROUPS = "blockType nodes lists marks link table history utility"

const tableDialog = updateAttrsDialog(
  {
    rows: {
      type: "number",
      title: gettext("Rows"),
      format: "number",
      default: "3",
      min: "1",
      max: "100",
    },
    cols: {
      type: "number",
      title: gettext("Columns"),
      format: "number",
      default: "3",
      min: "1",
      max: "100",
    },
    withHeaderRow: { type: "boolean", title: gettext("Include header row") },
  },
  { title: gettext("Table Properties"), submitText: gettext("Insert Table") },
)

export const EditorLabels = Extension.create({
  name: "editorLabels",

  // After every extension that defines menu items or commands (default priority
  // 100): their items exist when they are labelled, and our table command wins.
  priority: 1,

  // Not a label, but this is our one extension of the editor: tiptap adds its base
  // styles (white-space: pre-wrap, …) as an inline <style>, which the
  // Content-Security-Policy allows only with the page's nonce. The import map that
  // loaded this module carries it (yantai.security.NonceMediaAdminMixin).
  onBeforeCreate() {
    const importmap = document.querySelector("script[type=importmap][nonce]")
    if (importmap && importmap.nonce) {
      this.editor.options.injectNonce = importmap.nonce
    }
  },

  addMenuItems({ menu, buttons }) {
    for (const item of menu.items(GROUPS)) {
      if (!LABELS[item.name]) continue
      const label = gettext(LABELS[item.name])
      if (item.button) {
        item.button.title = label
        item.button.setAttribute("aria-label", label)
      }
      if (item.option) item.option.textContent = label
    }

    // The block-type dropdown shows a "question_mark" icon while the selection is
    // in none of its types (a figure, a rule), and creates it with no label once
    // the menu is built, after this hook: give that button one.
    const material = buttons.material
    buttons.material = (icon, title = "") =>
      material(
        icon,
        title || (icon === "question_mark" ? gettext("Block type") : ""),
      )
  },

  addCommands() {
    return {
      insertTableWithOptions:
        () =>
        ({ editor }) => {
          tableDialog(editor, { rows: "3", cols: "3" }).then((attrs) => {
            if (attrs) {
              editor
                .chain()
                .focus()
                .insertTable({
                  rows: Number.parseInt(attrs.rows, 10) || 3,
                  cols: Number.parseInt(attrs.cols, 10) || 3,
                  withHeaderRow: attrs.withHeaderRow,
                })
                .run()
            }
          })
          return true
        },
    }
  },
})
