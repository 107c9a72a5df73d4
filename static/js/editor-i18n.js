/* Chinese labels for the body editor (django-prose-editor).
 *
 * The editor translates its labels with window.gettext, which the admin change form
 * does not load. This classic script runs before the editor's deferred ES modules and
 * provides the editor's own strings; anything else falls through to a gettext that
 * may already exist, or is shown as is.
 */
(function () {
  "use strict";
  var zh = {
    "heading 2": "二级标题",
    "heading 3": "三级标题",
    "paragraph": "正文段落",
    "Heading 2": "二级标题",
    "Heading 3": "三级标题",
    "Paragraph": "正文段落",
    "unordered list": "无序列表",
    "ordered list": "编号列表",
    "List properties": "列表设置",
    "List type": "列表类型",
    "Bullets": "圆点",
    "Decimal numbers": "数字",
    "Lowercase letters": "小写字母",
    "Uppercase letters": "大写字母",
    "Lowercase Roman numerals": "小写罗马数字",
    "Uppercase Roman numerals": "大写罗马数字",
    "Start at": "起始编号",
    "blockquote": "引文",
    "horizontal rule": "分隔线",
    "figure": "插图（带图片说明）",
    "Insert Figure": "插入图片",
    "Edit Figure": "编辑图片",
    "Edit Image": "编辑图片",
    "Image URL": "图片地址（点“浏览……”从图片库选择）",
    "Alternative Text": "替代文字",
    "Caption": "图片说明",
    "Add caption": "添加图片说明",
    "Remove caption": "删除图片说明",
    "Browse...": "浏览……",
    "bold": "加粗",
    "italic": "倾斜",
    "underline": "下划线",
    "strike": "删除线",
    "subscript": "下标",
    "superscript": "上标",
    "insert link": "插入链接",
    "remove link": "删除链接",
    "Edit Link": "编辑链接",
    "URL": "网址",
    "Title": "标题",
    "Open in new window": "在新窗口打开",
    "Insert table": "插入表格",
    "Insert Table": "插入表格",
    "Table Properties": "表格设置",
    "Rows": "行数",
    "Columns": "列数",
    "Include header row": "包含表头行",
    "Add column": "添加列",
    "Delete column": "删除列",
    "Add row": "添加行",
    "Delete row": "删除行",
    "Merge cells": "合并单元格",
    "Split cell": "拆分单元格",
    "Toggle header cell": "切换表头单元格",
    "Delete table": "删除表格",
    "undo": "撤销",
    "redo": "重做",
    "edit HTML": "编辑 HTML 源码",
    "Edit HTML": "编辑 HTML 源码",
    "Prettify": "整理格式",
    "Toggle fullscreen": "全屏",
    "Insert": "插入",
    "Update": "确定",
    "Cancel": "取消"
  };
  // Menu button titles are not passed through gettext: translate them once the
  // editor has built its menu bar (and again when it rebuilds it).
  var pending = false;
  function translateMenus() {
    pending = false;
    document.querySelectorAll(".prose-menubar [title]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(zh, el.title)) {
        el.title = zh[el.title];
      }
    });
  }
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(translateMenus);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  var previous = window.gettext;
  window.gettext = function (msgid) {
    if (Object.prototype.hasOwnProperty.call(zh, msgid)) {
      return zh[msgid];
    }
    return previous ? previous(msgid) : msgid;
  };
})();
