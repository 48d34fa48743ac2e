/* The map: proportional circles at the units' centroids over the communes of the day, drawn with
   ECharts on plain axes of longitude and latitude — no tiles, no Internet. */
(function () {
  "use strict";
  var COLOURS = { met: "#1e7f3c", not_met: "#b3261e", undetermined: "#8a6d00", no_target: "#0b57d0" };
  var ORDER = ["met", "not_met", "undetermined", "no_target"];

  function extent(points) {
    var lons = points.map(function (p) { return p[0]; }), lats = points.map(function (p) { return p[1]; });
    var box = { x0: Math.min.apply(null, lons), x1: Math.max.apply(null, lons),
                y0: Math.min.apply(null, lats), y1: Math.max.apply(null, lats) };
    var padX = Math.max(0.05, (box.x1 - box.x0) * 0.04), padY = Math.max(0.05, (box.y1 - box.y0) * 0.04);
    return { x0: box.x0 - padX, x1: box.x1 + padX, y0: box.y0 - padY, y1: box.y1 + padY };
  }

  /* A grid with the same scale on both axes (a degree of longitude shrinks by cos(latitude)). */
  function grid(el, box) {
    // Room above for the title and the colour legend (two lines on a phone), below for the sizes.
    var w = el.clientWidth, h = el.clientHeight, top = w < 560 ? 96 : 64, bottom = 56;
    var kx = Math.cos(((box.y0 + box.y1) / 2) * Math.PI / 180);
    var spanX = (box.x1 - box.x0) * kx, spanY = box.y1 - box.y0;
    var scale = Math.min((w - 20) / spanX, (h - top - bottom) / spanY);
    var gw = spanX * scale, gh = spanY * scale;
    return { left: (w - gw) / 2, top: top + (h - top - bottom - gh) / 2, width: gw, height: gh };
  }

  function draw(el, data) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var located = data.points.map(function (p) { return [p.lon, p.lat]; });
    var box = extent(located.concat(data.basemap).length ? located.concat(data.basemap) : [[102, 8], [110, 23.5]]);
    var values = data.points.filter(function (p) { return p.value !== null; }).map(function (p) { return Math.abs(p.value); });
    var top = values.length ? Math.max.apply(null, values) : 1;
    var size = function (v) { return v === null ? 5 : 6 + 34 * Math.sqrt(Math.abs(v) / (top || 1)); };
    var labels = data.labels;
    var encode = echarts.format.encodeHTML;
    var series = [{
      // Thousands of dots: drawn in one pass (ECharts' "large" mode), never animated.
      name: "basemap", type: "scatter", silent: true, symbolSize: 3, z: 1, large: true, largeThreshold: 500,
      itemStyle: { color: "#aab2bd" }, data: data.basemap
    }, {
      name: labels.no_figure, type: "scatter", symbolSize: 6, z: 2,
      itemStyle: { color: "#fff", borderColor: "#8893a0", borderWidth: 1 },
      data: data.points.filter(function (p) { return p.value === null; }).map(function (p) {
        return { value: [p.lon, p.lat], point: p, url: p.url };
      })
    }];
    ORDER.forEach(function (status) {
      series.push({
        name: labels[status], type: "scatter", z: 3, cursor: "pointer",
        symbolSize: function (v, params) { return size(params.data.point.value); },
        itemStyle: { color: COLOURS[status], opacity: 0.72, borderColor: "#fff", borderWidth: 1 },
        emphasis: { itemStyle: { opacity: 1, borderColor: "#1d2733", borderWidth: 2 } },
        data: data.points.filter(function (p) { return p.value !== null && p.status === status; })
          .sort(function (a, b) { return b.value - a.value; })
          .map(function (p) { return { value: [p.lon, p.lat], point: p, url: p.url }; })
      });
    });
    var legendValues = [top, top / 4, top / 16].filter(function (v) { return v > 0; });
    var unit = data.indicator.measure_unit;
    var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "vi-VN",
                                        { maximumFractionDigits: 1 });
    var sizeLegend = [];
    var x = 16;
    legendValues.forEach(function (v) {
      var r = size(v) / 2;
      sizeLegend.push({ type: "circle", left: x, bottom: 16 + (20 - r), shape: { r: r },
                        style: { fill: "rgba(91,104,119,.25)", stroke: "#5b6877" } });
      sizeLegend.push({ type: "text", left: x + 2 * r + 4, bottom: 22,
                        style: { text: numbers.format(v) + (unit === "percent" ? "%" : ""), fill: "#1d2733", font: "12px sans-serif" } });
      x += 2 * r + 64;
    });
    var option = {
      animation: false,
      title: { text: data.title, left: 8, top: 4,
               textStyle: { fontSize: 13, fontWeight: 600, color: "#1d2733", width: el.clientWidth - 16, overflow: "truncate" } },
      legend: { top: 26, left: 8, right: 8, data: ORDER.map(function (s) { return labels[s]; }).concat([labels.no_figure]) },
      tooltip: { trigger: "item", formatter: function (params) {
        var p = params.data && params.data.point;
        if (!p) return "";
        return "<b>" + encode(p.unit.name) + "</b><br>" + encode(labels.value) + ": <b>" + encode(p.display || "—") +
          "</b> · " + encode(labels[p.status] || "") + (p.source ? "<br><span style='font-size:12px'>" +
          encode(labels.source) + ": " + encode(p.source) + "</span>" : "");
      } },
      grid: grid(el, box),
      xAxis: { type: "value", min: box.x0, max: box.x1, show: false },
      yAxis: { type: "value", min: box.y0, max: box.y1, show: false },
      graphic: sizeLegend,
      series: series
    };
    chart.on("finished", function () {
      if (document.body.dataset.rendered) return;
      document.body.dataset.rendered = "1";
      if (window.performance && performance.mark) performance.mark("dashboard-rendered");
    });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    var resize = function () { chart.resize(); chart.setOption({ grid: grid(el, box) }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
    return chart;
  }

  function start() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    var script = document.getElementById("map-data");
    var el = document.getElementById("map");
    if (!script || !el || !window.echarts) return;
    var chart = draw(el, JSON.parse(script.textContent));
    document.querySelectorAll("[data-png]").forEach(function (b) {
      b.addEventListener("click", function () {
        var link = document.createElement("a");
        link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        link.download = (b.dataset.name || "map") + ".png";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
