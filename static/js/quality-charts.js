/* Draw every [data-chart] element with ECharts from the JSON in the named
 * <script type="application/json"> element. The table beside or under each chart
 * carries the same numbers as text, so nothing is lost when scripts are off.
 *
 * Also, on indicator pages:
 * - [data-tabs]: the chart and the table become two tabs (WAI-ARIA tabs pattern:
 *   arrow keys, Home/End). Without JavaScript only the table shows.
 * - [data-png-from]: a PNG of the chart, made by drawing the server's SVG file
 *   (the SVG download) on a canvas, so the two files show one picture. */
(function () {
  "use strict";

  function text(values, index) {
    return (values || [])[index] || "";
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 48, containLabel: true },
      // A line is read by period (the whole column answers the pointer, which a
      // finger on a phone can hit); a bar by itself.
      tooltip: {
        trigger: spec.type === "line" ? "axis" : "item",
        formatter: function (params) {
          var points = Array.isArray(params) ? params : [params];
          var tip = document.createElement("div");
          tip.appendChild(document.createTextNode(points[0].name));
          points.forEach(function (p) {
            var s = spec.series[p.seriesIndex];
            var lines = [p.seriesName + "：" + (text(s.labels, p.dataIndex) || p.value)];
            var change = text(s.changes, p.dataIndex);
            var from = text(s.sources, p.dataIndex);
            if (change) {
              lines.push(element.getAttribute("data-label-change") + change);
            }
            if (from) {
              lines.push(element.getAttribute("data-label-source") + from);
            }
            lines.forEach(function (line) {
              tip.appendChild(document.createElement("br"));
              tip.appendChild(document.createTextNode(line));
            });
          });
          return tip.innerHTML;
        },
      },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, width: 90, overflow: "break" } },
      yAxis: { type: "value", name: spec.unit },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: spec.type,
          data: s.data,
          connectNulls: false,
          label: {
            show: true,
            position: "top",
            formatter: function (p) { return text(s.labels, p.dataIndex); },
          },
        };
      }),
    });
    element.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function tabs(root) {
    var list = root.querySelector("[data-tab-list]");
    var buttons = Array.prototype.slice.call(root.querySelectorAll("[data-tab]"));
    if (!list || !buttons.length) {
      return;
    }
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", list.getAttribute("data-label") || "");
    function select(button, focus) {
      buttons.forEach(function (other) {
        var panel = document.getElementById(other.getAttribute("data-tab"));
        var on = other === button;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        panel.hidden = !on;
      });
      if (focus) {
        button.focus();
      }
      // A chart drawn while hidden has no size: draw or resize it once shown.
      var shown = document.getElementById(button.getAttribute("data-tab"));
      shown.querySelectorAll("[data-chart]").forEach(function (element) {
        var chart = window.echarts && window.echarts.getInstanceByDom(element);
        if (chart) {
          chart.resize();
        } else {
          draw(element);
        }
      });
    }
    buttons.forEach(function (button, index) {
      var panel = document.getElementById(button.getAttribute("data-tab"));
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      panel.tabIndex = 0;
      button.addEventListener("click", function () { select(button, false); });
      button.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") {
          next = buttons[(index + 1) % buttons.length];
        } else if (event.key === "ArrowLeft") {
          next = buttons[(index - 1 + buttons.length) % buttons.length];
        } else if (event.key === "Home") {
          next = buttons[0];
        } else if (event.key === "End") {
          next = buttons[buttons.length - 1];
        }
        if (next) {
          event.preventDefault();
          select(next, true);
        }
      });
    });
    list.hidden = false;
    select(buttons[0], false);
  }

  function pngDownload(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var image = new Image();
      image.onload = function () {
        var scale = 2;
        var canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth * scale;
        canvas.height = image.naturalHeight * scale;
        var context = canvas.getContext("2d");
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = button.getAttribute("data-filename");
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
        }, "image/png");
      };
      image.src = button.getAttribute("data-png-from");
    });
  }

  function start() {
    document.querySelectorAll("[data-tabs]").forEach(tabs);
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      if (!element.closest("[hidden]") && !element.hasAttribute("data-chart-ready")) {
        draw(element);
      }
    });
    document.querySelectorAll("[data-png-from]").forEach(pngDownload);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
