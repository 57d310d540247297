// Draws the reporting app's plotly figures. The figure JSON comes from
// {{ fig|json_script:"fig-…" }}; no inline script (CSP). Each chart's numbers are also
// in the <details> table beside it, which is what screen readers use.
(function () {
  "use strict";
  var charts = document.querySelectorAll("[data-figure]");
  if (!charts.length) { return; }
  if (typeof window.Plotly === "undefined") {
    // Without plotly.js the tables are the charts: open them.
    charts.forEach(function (el) {
      var details = el.parentNode.querySelector("details.chart-table");
      if (details) { details.open = true; }
      el.hidden = true;
    });
    return;
  }
  var config = {
    responsive: true,
    displaylogo: false,
    displayModeBar: false,
    locale: document.documentElement.lang || "da"
  };
  charts.forEach(function (el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      // The plot's SVG is decorative for assistive technology: the table carries the numbers.
      el.querySelectorAll("svg").forEach(function (svg) { svg.setAttribute("aria-hidden", "true"); });
    });
  });
})();
