/* The dashboard's charts: drawn with ECharts from the figures the page embeds (no second request),
   each downloadable as PNG; a bar or a unit clicked goes down a level. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "vi";
  var numbers = new Intl.NumberFormat(lang === "en" ? "en-US" : "vi-VN", { maximumFractionDigits: 2 });
  var charts = [];

  function format(value, unit) {
    if (value === null || value === undefined) return "—";
    return numbers.format(value) + (unit === "percent" ? "%" : "");
  }

  function drillUrl(unitId) {
    var url = new URL(window.location.href);
    url.searchParams.set("unit", unitId);
    url.searchParams.delete("format");
    url.searchParams.delete("table");
    return url.toString();
  }

  function rendered() {
    if (document.body.dataset.rendered) return;
    document.body.dataset.rendered = "1";
    if (window.performance && performance.mark) performance.mark("dashboard-rendered");
  }

  function whenDrawn(chart, count) {
    chart.on("finished", function () {
      chart.dxDrawn = true;
      if (charts.every(function (c) { return c.dxDrawn; })) rendered();
    });
  }

  function trend(el, data) {
    var t = data.trend;
    var unit = t.indicator.measure_unit;
    var target = t.targets.find(function (x) { return x.year >= Number(t.points[t.points.length - 1].period); })
      || t.targets[t.targets.length - 1];
    var chart = echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    whenDrawn(chart);
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 24, top: 36, bottom: 32 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return format(v, unit); } },
      xAxis: { type: "category", data: t.points.map(function (p) { return p.label; }) },
      yAxis: { type: "value", scale: unit !== "percent", max: unit === "percent" ? 100 : null,
               axisLabel: { formatter: function (v) { return format(v, unit); } } },
      series: [{
        name: data.labels.value, type: "line", data: t.points.map(function (p) { return p.value; }),
        symbolSize: 9, lineStyle: { width: 3, color: "#0b57d0" }, itemStyle: { color: "#0b57d0" },
        label: { show: true, position: "top", formatter: function (p) { return format(p.value, unit); } },
        markLine: target ? {
          symbol: "none", lineStyle: { color: "#b3261e", type: "dashed", width: 2 },
          label: { formatter: data.labels.target + " " + target.year + ": " + target.display, position: "insideStartTop" },
          data: [{ yAxis: target.value }]
        } : undefined
      }]
    });
  }

  function children(el, data) {
    var unit = data.indicator.measure_unit;
    var rows = data.children.filter(function (c) { return c.value !== null; })
      .sort(function (a, b) { return a.value - b.value; });
    var target = data.trend && data.trend.targets.length ? data.trend.targets[0] : null;
    el.style.height = Math.max(240, 60 + rows.length * 22) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    whenDrawn(chart);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 56, top: 30, bottom: 24, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) {
        var row = rows[p.dataIndex];
        return echarts.format.encodeHTML(row.unit.name) + "<br><b>" + echarts.format.encodeHTML(row.display) +
          "</b><br><span style='font-size:12px'>" + echarts.format.encodeHTML(row.source) + "</span>";
      } },
      xAxis: { type: "value", max: unit === "percent" ? 100 : null,
               axisLabel: { formatter: function (v) { return format(v, unit); } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.unit.name; }),
               axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", data: rows.map(function (r) { return r.value; }), cursor: "pointer",
        itemStyle: { color: "#5b8def" },
        label: { show: true, position: "right", formatter: function (p) { return format(p.value, unit); } },
        markLine: target ? {
          symbol: "none", lineStyle: { color: "#b3261e", type: "dashed", width: 2 },
          label: { formatter: data.labels.target + " " + target.display },
          data: [{ xAxis: target.value }]
        } : undefined
      }]
    });
    chart.on("click", function (p) {
      if (p.componentType === "series") window.location.href = drillUrl(rows[p.dataIndex].unit.id);
    });
  }

  function downloadPng(button) {
    var el = document.getElementById(button.dataset.png);
    var chart = el && echarts.getInstanceByDom(el);
    if (!chart) return;
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = (button.dataset.name || button.dataset.png) + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function start() {
    var script = document.getElementById("dashboard-data");
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-png]").forEach(function (b) {
      b.addEventListener("click", function () { downloadPng(b); });
    });
    if (!script || !window.echarts) { rendered(); return; }
    var data = JSON.parse(script.textContent);
    var trendEl = document.getElementById("chart-trend");
    var childrenEl = document.getElementById("chart-children");
    if (trendEl && data.trend) trend(trendEl, data);
    if (childrenEl && data.children.length) children(childrenEl, data);
    if (!charts.length) rendered();
    // On paper the charts take the printed width.
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
