/* No lost work in the article editor: the unsaved-changes warning and a local copy.
 *
 * Loaded on every admin page (templates/admin/base_site.html), where it
 *  - drops local copies older than KEEP_DAYS;
 *  - on the logged-out page (#local-copies-clear), removes every copy of this site:
 *    offices share computers;
 *  - after a successful save, removes that article's copies: the server marks the
 *    save in the cookie SAVED_COOKIE ("user:article|user:new|…", news/admin_local_copy.py),
 *    read and deleted here on whichever admin page the save led to;
 *  - on the article add/change form (#article-local-copy inside it, with the user,
 *    the article or "new" and its texts in data- attributes: no inline script, so
 *    the strict Content-Security-Policy holds):
 *      * asks before the page is left with changes not saved (beforeunload), except
 *        when the form itself or the workflow form is submitted;
 *      * while there are unsaved changes, keeps the form's values in localStorage
 *        every data-interval-seconds and on pagehide, under
 *        PREFIX + user:article:version (the version the form was opened at);
 *      * when a copy of this user's differs from what the server gave, offers
 *        恢复 (values back into the form, the body through the editor's own API, the
 *        copy's version into expected_version so that the server's check still
 *        applies) or 丢弃.
 * A form shown again with errors (.errornote) is unsaved work: it keeps the copy and
 * leaving it asks, changed or not.
 */
(function () {
  "use strict";

  var PREFIX = "yantai:article-copy:";
  var SAVED_COOKIE = "yantai_article_saved";
  var KEEP_DAYS = 7;
  var SKIPPED = ["csrfmiddlewaretoken", "expected_version", "overwrite"];

  var script = document.currentScript;
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(PREFIX);
  } catch (error) {
    return; // Storage switched off: nothing to keep, nothing to warn from here.
  }

  function copyKeys(start) {
    var keys = [];
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(start || PREFIX) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function read(key) {
    try {
      var copy = JSON.parse(storage.getItem(key));
      return copy && typeof copy.savedAt === "number" && copy.values ? copy : null;
    } catch (error) {
      return null;
    }
  }

  function removeAll(start) {
    copyKeys(start).forEach(function (key) {
      storage.removeItem(key);
    });
  }

  // Old copies go, whatever page this is.
  var oldest = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
  copyKeys().forEach(function (key) {
    var copy = read(key);
    if (!copy || copy.savedAt < oldest) {
      storage.removeItem(key);
    }
  });

  function start() {
    // Logged out: nobody's copies stay on this computer.
    if (document.getElementById("local-copies-clear")) {
      removeAll(PREFIX);
      return;
    }
    // Saved: the copies of what was saved are done with.
    var saved = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(SAVED_COOKIE + "=") === 0;
    });
    if (saved.length) {
      saved[0]
        .slice(SAVED_COOKIE.length + 1)
        .split("|")
        .forEach(function (entry) {
          if (/^\d+:(new|\d+)$/.test(entry)) {
            removeAll(PREFIX + entry + ":");
          }
        });
      var path = (script && script.dataset.cookiePath) || "/";
      document.cookie = SAVED_COOKIE + "=; Max-Age=0; Path=" + path + "; SameSite=Lax";
    }
    var box = document.getElementById("article-local-copy");
    if (box && box.closest("form")) {
      articleForm(box, box.closest("form"));
    }
  }

  function articleForm(box, form) {
    var config = box.dataset;
    var seconds = parseFloat(config.intervalSeconds) || 5;
    var base = PREFIX + config.user + ":" + config.article + ":";
    var versionInput = form.elements.namedItem("expected_version");
    var body = form.elements.namedItem(config.bodyField || "body");
    if (!body || body.tagName !== "TEXTAREA") {
      body = null;
    }
    var editor = null;
    var baseline = null; // the server's values, as one string
    var lastWritten = null;
    var leaving = false; // the form (or the workflow form) is being submitted
    // Shown again with errors: what it holds was posted, not saved.
    var unsavedOnArrival = !!document.querySelector(".errornote");

    function key() {
      return base + ((versionInput && versionInput.value) || "0");
    }

    function skipped(element) {
      var name = element.name;
      return (
        !name ||
        element.disabled ||
        SKIPPED.indexOf(name) >= 0 ||
        name.charAt(0) === "_" ||
        name.indexOf("__prefix__") >= 0 ||
        element.type === "file" ||
        element.type === "submit" ||
        element.type === "button" ||
        element.type === "reset" ||
        !!element.closest("#article-local-copy, dialog") ||
        (element !== body && !!element.closest(".prose-editor"))
      );
    }

    // The package's own rule for an editor holding nothing (createTextareaEditor).
    function editorHTML() {
      var html = editor.getHTML();
      return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
    }

    function snapshot() {
      var values = {};
      var labels = {};
      Array.prototype.forEach.call(form.elements, function (element) {
        if (skipped(element)) {
          return;
        }
        var name = element.name;
        var list = values[name] || (values[name] = []);
        if (element.type === "checkbox" || element.type === "radio") {
          if (element.checked) {
            list.push(element.value);
          }
        } else if (element.tagName === "SELECT") {
          Array.prototype.forEach.call(element.selectedOptions, function (option) {
            list.push(option.value);
            // Autocomplete selects (tags…) hold only their chosen options.
            (labels[name] || (labels[name] = [])).push([option.value, option.text]);
          });
        } else if (element === body && editor) {
          list.push(editorHTML());
        } else {
          list.push(element.value);
        }
      });
      return { values: values, labels: labels };
    }

    function canonical(values) {
      return JSON.stringify(
        Object.keys(values)
          .sort()
          .map(function (name) {
            return [name, values[name]];
          }),
      );
    }

    function unsaved() {
      return (
        baseline !== null &&
        (unsavedOnArrival || canonical(snapshot().values) !== baseline)
      );
    }

    function write(force) {
      if (!unsaved()) {
        return;
      }
      var state = snapshot();
      var text = canonical(state.values);
      if (!force && text === lastWritten) {
        return;
      }
      var copy = {
        savedAt: Date.now(),
        version: (versionInput && versionInput.value) || "0",
        title: document.title,
        values: state.values,
        labels: state.labels,
      };
      try {
        storage.setItem(key(), JSON.stringify(copy));
        lastWritten = text;
      } catch (error) {
        // Full (a very long body, other sites' data): the warning still protects.
      }
    }

    function newest() {
      var best = null;
      copyKeys(base).forEach(function (storageKey) {
        var copy = read(storageKey);
        if (copy && (!best || copy.savedAt > best.savedAt)) {
          best = copy;
        }
      });
      return best;
    }

    function fire(element) {
      element.dispatchEvent(new Event("input", { bubbles: true }));
      // Native events reach jQuery's handlers too (select2 redraws its choices).
      element.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function addInlineRows(values) {
      Object.keys(values).forEach(function (name) {
        var match = /^(.+)-TOTAL_FORMS$/.exec(name);
        var total = form.elements.namedItem(name);
        if (!match || !total) {
          return;
        }
        var group = document.getElementById(match[1] + "-group");
        var tries = 50;
        while (
          group &&
          tries-- > 0 &&
          parseInt(total.value, 10) < parseInt(values[name][0], 10)
        ) {
          var add = group.querySelector(".add-row a");
          if (!add) {
            break;
          }
          add.click(); // Django's inlines.js adds the row
        }
      });
    }

    function restore(copy) {
      addInlineRows(copy.values);
      var seen = {};
      Array.prototype.forEach.call(form.elements, function (element) {
        if (skipped(element) || element === body) {
          return;
        }
        var name = element.name;
        var wanted = copy.values[name] || [];
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = wanted.indexOf(element.value) >= 0;
        } else if (element.tagName === "SELECT") {
          (copy.labels[name] || []).forEach(function (pair) {
            var present = Array.prototype.some.call(element.options, function (o) {
              return o.value === pair[0];
            });
            if (!present) {
              element.add(new Option(pair[1], pair[0]));
            }
          });
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = wanted.indexOf(option.value) >= 0;
          });
        } else {
          var index = seen[name] || 0;
          seen[name] = index + 1;
          element.value = index < wanted.length ? wanted[index] : "";
        }
        fire(element);
      });
      if (versionInput && copy.version) {
        // The version it was written over: the server's check refuses a save over
        // changes made since, naming who changed what.
        versionInput.value = copy.version;
      }
      if (body && copy.values[body.name]) {
        var html = copy.values[body.name][0] || "";
        if (editor) {
          editor.commands.setContent(html, { emitUpdate: true });
          if (body.value !== editorHTML()) {
            body.value = editorHTML(); // what is posted is what the editor shows
          }
        } else {
          body.value = html;
        }
        fire(body);
      }
      write(true);
    }

    function pad(number) {
      return (number < 10 ? "0" : "") + number;
    }

    function when(savedAt) {
      var at = new Date(savedAt);
      var time = pad(at.getHours()) + ":" + pad(at.getMinutes());
      if (at.toDateString() === new Date().toDateString()) {
        return time;
      }
      return pad(at.getMonth() + 1) + "-" + pad(at.getDate()) + " " + time;
    }

    function offer(copy) {
      var list = document.createElement("ul");
      list.className = "messagelist";
      var item = document.createElement("li");
      item.className = "warning local-copy-notice";
      var text = document.createElement("span");
      text.textContent = config.intro + " ";
      var restoreButton = document.createElement("button");
      restoreButton.type = "button";
      restoreButton.className = "button";
      restoreButton.textContent = config.restore
        .split("__TIME__")
        .join(when(copy.savedAt));
      var discardButton = document.createElement("button");
      discardButton.type = "button";
      discardButton.className = "button";
      discardButton.textContent = config.discard;
      item.appendChild(text);
      item.appendChild(restoreButton);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(discardButton);
      list.appendChild(item);
      box.appendChild(list);
      restoreButton.addEventListener("click", function () {
        list.remove();
        restore(copy);
      });
      discardButton.addEventListener("click", function () {
        list.remove();
        removeAll(base);
        lastWritten = null;
      });
    }

    function ready() {
      if (baseline !== null) {
        return;
      }
      baseline = canonical(snapshot().values);
      var copy = newest();
      if (copy) {
        if (!unsavedOnArrival && canonical(copy.values) === baseline) {
          removeAll(base); // what it holds is what was saved
        } else if (canonical(copy.values) !== baseline) {
          offer(copy);
        }
      }
      window.setInterval(function () {
        write(false);
      }, seconds * 1000);
      box.dataset.state = "ready";
    }

    // The editor: from its ready event (this script runs before the editor's
    // modules), or from its element if it was already made.
    function found(instance) {
      if (!editor && instance && instance.commands) {
        editor = instance;
        ready();
      }
    }
    if (body) {
      document.addEventListener("prose-editor:ready", function (event) {
        if (event.detail && event.detail.textarea === body) {
          found(event.detail.editor);
        }
      });
      var tries = 0;
      var poll = window.setInterval(function () {
        var wrap = body.closest(".prose-editor");
        var element = wrap && wrap.querySelector(".ProseMirror");
        found(element && element.editor);
        // No editor after 15 s (its scripts failed): the plain textarea counts.
        if (editor || ++tries > 150) {
          window.clearInterval(poll);
          ready();
        }
      }, 100);
    } else {
      ready();
    }

    document.addEventListener(
      "submit",
      function (event) {
        var target = event.target;
        if (target === form || target.classList.contains("workflow-form")) {
          leaving = true;
          write(true); // until the server says it is saved
        }
      },
      true,
    );
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && unsaved()) {
        write(true);
        event.preventDefault();
        event.returnValue = "";
      }
    });
    window.addEventListener("pagehide", function () {
      write(true);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        leaving = false; // back from the back-forward cache
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
