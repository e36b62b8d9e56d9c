// The candidate profile radar chart (ECharts), drawn from the JSON the page embeds.
(function () {
  "use strict";
  const el = document.getElementById("profile-chart");
  if (!el || !window.echarts) return;
  const dims = JSON.parse(document.getElementById("profile-data").textContent);
  const max = Number(el.dataset.scaleMax);
  const chart = echarts.init(el);
  chart.setOption({ tooltip: {}, radar: { indicator: dims.map((d) => ({ name: d.name, max })) },
    series: [{ type: "radar", data: [{ value: dims.map((d) => d.mean), name: el.dataset.seriesName }] }] });
  el.dataset.ready = "1";
})();
