// The analytics charts (ECharts), drawn from the JSON the page embeds; labels come from data- attributes.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById('analytics-data').textContent);
  const labels = document.getElementById("analytics-charts").dataset;
  const T = {avg: labels.labelAvg, days: labels.labelDays, kept: labels.labelKept, bias: labels.labelBias,
             long: labels.labelLong, unstable: labels.labelUnstable};
  function chart(id, option) { const el = document.getElementById(id); if (!el || !window.echarts) return; const c = echarts.init(el); c.setOption(option); el.dataset.ready = '1'; window.addEventListener('resize', () => c.resize()); }
  chart('chart-funnel', {tooltip: {}, series: [{type: 'funnel', sort: 'none', left: '5%', width: '90%', label: {formatter: '{b}: {c}'}, data: data.funnel.map(r => ({name: r.stage, value: r.count}))}]});
  chart('chart-tth', {tooltip: {trigger: 'axis'}, xAxis: {type: 'category', data: data.time_to_hire.map(r => r.month)}, yAxis: {type: 'value'}, series: [{name: T.days, type: 'line', data: data.time_to_hire.map(r => r.days)}]});
  const positions = [...new Set(data.dimension_scores.map(r => r.position))];
  const dims = [...new Set(data.dimension_scores.map(r => r.dimension))];
  const agg = {}; data.dimension_scores.forEach(r => { const k = r.position + '|' + r.dimension; agg[k] = agg[k] || [0, 0]; agg[k][0] += r.avg * r.n; agg[k][1] += r.n; });
  chart('chart-dims', {tooltip: {trigger: 'axis'}, legend: {}, xAxis: {type: 'category', data: positions}, yAxis: {type: 'value', min: 0},
    series: dims.map(d => ({name: d, type: 'bar', data: positions.map(p => { const a = agg[p + '|' + d]; return a ? +(a[0] / a[1]).toFixed(2) : null; })}))});
  const cal = data.calibration.interviewers;
  chart('chart-cal', {tooltip: {trigger: 'axis'}, legend: {}, xAxis: {type: 'category', data: cal.map(r => r.interviewer)}, yAxis: {type: 'value'},
    series: [{name: T.avg, type: 'bar', data: cal.map(r => r.mean)}, {name: T.bias, type: 'bar', data: cal.map(r => r.bias)}]});
  chart('chart-feedback', {tooltip: {trigger: 'axis'}, xAxis: {type: 'category', data: data.feedback.map(r => r.month)}, yAxis: {type: 'value', max: 100}, series: [{name: T.kept, type: 'line', data: data.feedback.map(r => r.kept_pct)}]});
  chart('chart-survey', {tooltip: {trigger: 'axis'}, legend: {}, xAxis: {type: 'category', data: data.surveys.map(r => r.position)}, yAxis: {type: 'value', max: 100},
    series: [{name: T.long, type: 'bar', data: data.surveys.map(r => r.too_long_pct)}, {name: T.unstable, type: 'bar', data: data.surveys.map(r => r.unstable_pct)}]});
})();
