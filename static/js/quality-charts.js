/* Draw every [data-chart] element with ECharts from the JSON in the named
 * <script type="application/json"> element. The table beside each chart carries the
 * same numbers as text, so nothing is lost when scripts are off. */
(function () {
  "use strict";

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
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var labels = spec.series[p.seriesIndex].labels || [];
          return p.name + "<br>" + p.seriesName + "：" + (labels[p.dataIndex] || p.value);
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
            formatter: function (p) { return (s.labels || [])[p.dataIndex] || ""; },
          },
        };
      }),
    });
    element.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
