/* The map, drawn with ECharts from the product's own files — no tiles, no Internet. The provinces
   of the country are a choropleth: their shapes (static/dashboard/geo, Natural Earth) coloured by
   the figure. Communes and villages are proportional circles at their centroids over the communes
   of the day, on plain axes of longitude and latitude. */
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

  /* The shapes file holds the provinces before 2025; a unit is drawn as the shapes the answer names
     for it (a merged province: the provinces it was formed from). */
  function shapesOf(data, file) {
    var byKey = {};
    file.features.forEach(function (f) { byKey[String(f.id)] = f.geometry; });
    var box = { x0: 180, x1: -180, y0: 90, y1: -90 };
    var features = data.points.map(function (p) {
      var polygons = [];
      p.shapes.forEach(function (key) {
        var g = byKey[key];
        if (!g) return;
        polygons = polygons.concat(g.type === "Polygon" ? [g.coordinates] : g.coordinates);
      });
      polygons.forEach(function (polygon) {
        polygon[0].forEach(function (xy) {
          box.x0 = Math.min(box.x0, xy[0]); box.x1 = Math.max(box.x1, xy[0]);
          box.y0 = Math.min(box.y0, xy[1]); box.y1 = Math.max(box.y1, xy[1]);
        });
      });
      return { type: "Feature", properties: { name: String(p.unit.id) },
               geometry: { type: "MultiPolygon", coordinates: polygons } };
    });
    return { geojson: { type: "FeatureCollection", features: features }, box: box };
  }

  /* Where the map sits: as large as the room between the title and the legend allows, with the
     same scale on both axes (a degree of longitude shrinks by cos(latitude)). */
  function place(el, box, top, bottom) {
    var w = el.clientWidth - 16, h = el.clientHeight - top - bottom;
    var k = Math.cos(((box.y0 + box.y1) / 2) * Math.PI / 180);
    var aspect = (box.x1 - box.x0) * k / (box.y1 - box.y0);
    var width = Math.min(w, h * aspect), height = width / aspect;
    return { aspectScale: k, layoutCenter: [el.clientWidth / 2, top + h / 2], layoutSize: Math.max(width, height) };
  }

  function drawShapes(el, data, file) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var name = "dxmonitor-" + data.date;
    var shapes = shapesOf(data, file);
    echarts.registerMap(name, shapes.geojson);
    var labels = data.labels;
    var encode = echarts.format.encodeHTML;
    var percent = data.indicator.measure_unit === "percent";
    var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "vi-VN",
                                        { maximumFractionDigits: 1 });
    var values = data.points.filter(function (p) { return p.value !== null; }).map(function (p) { return p.value; });
    // From zero when no figure is negative: a province's shade is proportional to its figure.
    var low = values.length ? Math.min(0, Math.min.apply(null, values)) : 0;
    var high = values.length ? Math.max.apply(null, values) : 1;
    if (high === low) high = low + 1;
    var small = el.clientWidth < 560;
    var top = small ? 40 : 36, bottom = small ? 72 : 44, bar = small ? 120 : 180;
    var byName = {};
    data.points.forEach(function (p) { byName[String(p.unit.id)] = p; });
    var tip = function (p) {
      return "<b>" + encode(p.unit.name) + "</b><br>" + encode(labels.value) + ": <b>" + encode(p.display || labels.no_figure) +
        "</b>" + (p.value !== null ? " · " + encode(labels[p.status] || "") : "") + (p.source ? "<br><span style='font-size:12px'>" +
        encode(labels.source) + ": " + encode(p.source) + "</span>" : "");
    };
    // "No figure" beside the colour scale, or above it on a phone.
    var legendEnd = small ? 8 : 8 + bar + 110, legendBottom = small ? 44 : 10;
    var option = {
      animation: false,
      title: { text: data.title, left: 8, top: 4,
               textStyle: { fontSize: 13, fontWeight: 600, color: "#1d2733", width: el.clientWidth - 16, overflow: "truncate" } },
      tooltip: { trigger: "item", formatter: function (params) {
        var p = (params.data && params.data.point) || byName[params.name];
        return p ? tip(p) : (params.name && params.componentSubType === "scatter" ? encode(params.name) : "");
      } },
      visualMap: {
        type: "continuous", min: low, max: high, orient: "horizontal", left: 8, bottom: 8, seriesIndex: 0,
        itemWidth: 12, itemHeight: bar, calculable: false, realtime: false,
        text: [numbers.format(high) + (percent ? "%" : ""), numbers.format(low) + (percent ? "%" : "")],
        textStyle: { color: "#1d2733" },
        inRange: { color: ["#e0ecf7", "#9ecae1", "#4a90c8", "#1f5fa0", "#0b3a6e"] }
      },
      graphic: [
        { type: "rect", left: legendEnd, bottom: legendBottom, shape: { width: 14, height: 12 },
          style: { fill: "#e3e7ec", stroke: "#aab2bd" } },
        { type: "text", left: legendEnd + 20, bottom: legendBottom,
          style: { text: labels.no_figure, fill: "#1d2733", font: "12px sans-serif",
                   width: Math.max(60, el.clientWidth - legendEnd - 28), overflow: "truncate" } }
      ],
      geo: Object.assign({
        map: name, roam: false, selectedMode: false, silent: false,
        label: { show: false },
        itemStyle: { areaColor: "#e3e7ec", borderColor: "#ffffff", borderWidth: 0.6 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f2c14e", borderColor: "#1d2733", borderWidth: 1 } }
      }, place(el, shapes.box, top, bottom)),
      series: [{
        type: "map", geoIndex: 0, cursor: "pointer",
        data: data.points.map(function (p) {
          // "-" is ECharts' empty value: the province keeps the grey of "no figure".
          return { name: String(p.unit.id), value: p.value === null ? "-" : p.value, point: p, url: p.url };
        })
      }, {
        // The archipelagos are specks at this scale: named, as on every map of Vietnam.
        type: "scatter", coordinateSystem: "geo", symbolSize: 4, silent: true, z: 3,
        itemStyle: { color: "#5b6877" },
        label: { show: true, position: "bottom", formatter: "{b}", color: "#1d2733", fontSize: 11 },
        data: [{ name: labels.hoang_sa, value: [112.0, 16.5] },
               { name: labels.truong_sa, value: [114.2, 9.8], label: { position: "left" } }]
          .filter(function () { return shapes.box.x1 > 111; })
      }]
    };
    chart.on("finished", function () {
      if (document.body.dataset.rendered) return;
      document.body.dataset.rendered = "1";
      if (window.performance && performance.mark) performance.mark("dashboard-rendered");
    });
    chart.setOption(option);
    chart.on("click", function (params) {
      var p = (params.data && params.data.point) || byName[params.name];
      if (p && p.url) window.location.href = p.url;
    });
    var resize = function () { chart.resize(); chart.setOption({ geo: place(el, shapes.box, top, bottom) }); };
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
    var data = JSON.parse(script.textContent);
    if (data.kind === "choropleth" && data.shapes_url && window.fetch) {
      // Served from the product's static files; if they cannot be read, the circles stand in.
      fetch(data.shapes_url).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (file) { drawShapes(el, data, file); }, function () { draw(el, data); });
    } else {
      draw(el, data);
    }
    document.querySelectorAll("[data-png]").forEach(function (b) {
      b.addEventListener("click", function () {
        var chart = echarts.getInstanceByDom(el);
        if (!chart) return;
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
