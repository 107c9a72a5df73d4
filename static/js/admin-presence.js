/* 正在编辑 on the article change page (news/admin_presence.py).
 *
 * While the page is open, tell the server every data-beat-seconds (and at once) that
 * this person has the form open, and show who else has: the .editing-notice inside
 * #editing-presence is rewritten, added or removed in place. On pagehide, say goodbye
 * with navigator.sendBeacon so that the others' notice clears at their next beat.
 * Everything comes from data- attributes of #editing-presence: no inline script, so
 * a strict Content-Security-Policy can forbid it. The CSRF token travels in the
 * FormData body, which is what sendBeacon can send. Each page load names itself
 * (page), so that a beat still on its way when the goodbye is sent is turned away.
 */
(function () {
  "use strict";

  var box = document.getElementById("editing-presence");
  if (!box || !window.fetch || !window.FormData) {
    return;
  }
  var config = box.dataset;
  var seconds = parseFloat(config.beatSeconds) || 20;
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var timer = null;
  var page = "";

  function body() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    data.append("page", page);
    return data;
  }

  function show(others) {
    var list = box.querySelector(".messagelist");
    if (!others.length) {
      if (list) {
        list.remove();
      }
      return;
    }
    if (!list) {
      list = document.createElement("ul");
      list.className = "messagelist";
      var item = document.createElement("li");
      item.className = "warning editing-notice";
      list.appendChild(item);
      box.appendChild(list);
    }
    var text = others
      .map(function (name) {
        return config.one.split("__NAME__").join(name);
      })
      .join(config.separator);
    list.querySelector(".editing-notice").textContent = text + config.tail;
  }

  function beat() {
    fetch(config.beatUrl, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        // Logged out meanwhile: the admin redirects to its login page.
        return response.ok && !response.redirected ? response.json() : null;
      })
      .then(function (answer) {
        if (timer !== null && answer && Array.isArray(answer.others)) {
          show(answer.others);
        }
      })
      .catch(function () {
        // Offline for a moment: the next beat tries again.
      });
  }

  function start() {
    if (timer === null) {
      page = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
      timer = window.setInterval(beat, seconds * 1000);
      beat();
    }
  }

  function leave() {
    window.clearInterval(timer);
    timer = null;
    if (navigator.sendBeacon) {
      navigator.sendBeacon(config.leaveUrl, body());
    } else {
      fetch(config.leaveUrl, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        keepalive: true,
      });
    }
  }

  window.addEventListener("pagehide", leave);
  // Back to the page from the back-forward cache: it is open again, as a new page
  // load (the old one has said goodbye).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      start();
    }
  });
  // Browsers slow down timers in background tabs; catch up when it is seen again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && timer !== null) {
      beat();
    }
  });
  start();
})();
