/// The comparison page's stylesheet and the script that draws its charts from the page's JSON data block
/// with plotly.js. Both are fixed text: no user data is ever spliced into them.
enum ComparisonReportAssets {
    /// Dark text on light backgrounds (every pair above 7:1); meaning is always in words, never in colour alone.
    static let stylesheet = """
        body { margin: 0; background: #ffffff; color: #1a1a1a; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.6rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.3rem; margin-top: 2rem; }
        h3 { font-size: 1.1rem; margin-top: 2rem; overflow-wrap: anywhere; }
        table { border-collapse: collapse; margin: 0.5rem 0; }
        caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
        th, td { border: 1px solid #767676; padding: 0.3rem 0.6rem; vertical-align: top; text-align: left; overflow-wrap: break-word; }
        thead th { background: #ececec; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .scroll { overflow-x: auto; }
        .warnings { background: #fff3cd; border: 2px solid #7a5200; border-left-width: 8px; padding: 0.5rem 1rem; margin: 1rem 0; }
        .warnings h2 { margin-top: 0.25rem; }
        .flag { background: #fde2e1; border: 2px solid #9b1c1c; padding: 0.4rem 0.8rem; }
        .flag-marker { border: 2px solid #9b1c1c; padding: 0 0.3rem; font-weight: 700; }
        .notice { border: 1px dashed #4a4a4a; padding: 0.4rem 0.8rem; }
        .chart-pair { display: flex; flex-wrap: wrap; gap: 1rem; }
        .chart-pair .chart { flex: 1 1 480px; min-width: 0; }
        figure.chart { margin: 1rem 0; }
        figcaption { color: #3d3d3d; font-size: 0.9rem; }
        .plot { min-height: 360px; }
        """

    /// Reads the JSON block, then draws per metric the per-item distributions and the sorted per-item deltas,
    /// and one chart of every metric's delta with its interval. Labels go through `label` because plotly reads
    /// a little HTML in text; item ids and names must show as written.
    static let chartScript = """
        (function () {
          "use strict";
          var status = document.getElementById("charts-status");
          function say(text) { if (status) { status.textContent = text; status.hidden = false; } }
          if (typeof Plotly === "undefined") { say("Charts are unavailable: plotly.js did not load. The tables hold every number."); return; }
          var data;
          try { data = JSON.parse(document.getElementById("comparison-data").textContent); }
          catch (error) { say("Charts are unavailable: the report's data could not be read. The tables hold every number."); return; }
          var colours = { baseline: "#1f4e8c", candidate: "#a8471a", ink: "#1a1a1a" };
          var config = { displaylogo: false, responsive: true };
          var font = { color: colours.ink };
          // Left-aligned, with plotly's tool bar standing upright at the right, so neither covers the other.
          function title(text) { return { text: text, x: 0, xref: "paper", xanchor: "left" }; }
          var modebar = { orientation: "v" };
          function isNumber(value) { return typeof value === "number" && isFinite(value); }
          function label(text) { return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
          function unitTitle(node, fallback) { var unit = node.getAttribute("data-unit"); return unit ? unit : fallback; }
          function failed(node, error) {
            node.removeAttribute("role");
            node.textContent = "This chart could not be drawn: " + (error && error.message ? error.message : String(error));
          }
          function empty(node, text) { node.removeAttribute("role"); node.classList.remove("plot"); node.textContent = text; }
          function draw(node, traces, layout) {
            try { Plotly.newPlot(node, traces, layout, config).catch(function (error) { failed(node, error); }); }
            catch (error) { failed(node, error); }
          }
          function values(metric, side) {
            var points = { y: [], text: [] };
            var list = metric[side + "_values"] || [];
            for (var i = 0; i < list.length; i++) {
              if (isNumber(list[i])) { points.y.push(list[i]); points.text.push(label(data.items[i])); }
            }
            return points;
          }
          function distribution(node, metric) {
            var traces = [];
            [["baseline", "Baseline", "circle"], ["candidate", "Candidate", "diamond"]].forEach(function (side) {
              var points = values(metric, side[0]);
              if (points.y.length === 0) { return; }
              traces.push({ type: "box", name: side[1], y: points.y, text: points.text, boxpoints: "all", jitter: 0.4, pointpos: 0,
                boxmean: true, marker: { color: colours[side[0]], symbol: side[2], size: 7, opacity: 0.75 },
                line: { color: colours[side[0]] }, hovertemplate: "%{text}<br>%{y}<extra>" + side[1] + "</extra>" });
            });
            if (traces.length === 0) { empty(node, "No item has a value of this metric in either run."); return; }
            draw(node, traces, { title: title(label(metric.name) + ": per-item values"), showlegend: false, height: 380, font: font, modebar: modebar,
              yaxis: { title: { text: unitTitle(node, "value") }, zeroline: false }, margin: { t: 60 } });
          }
          function itemDeltas(node, metric) {
            var changes = [];
            var baseline = metric.baseline_values || [], candidate = metric.candidate_values || [];
            for (var i = 0; i < data.items.length; i++) {
              if (isNumber(baseline[i]) && isNumber(candidate[i])) { changes.push({ id: String(data.items[i]), delta: candidate[i] - baseline[i] }); }
            }
            if (changes.length === 0) { empty(node, "No item has a value of this metric in both runs."); return; }
            changes.sort(function (a, b) { return a.delta - b.delta || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
            var unit = node.getAttribute("data-unit");
            draw(node, [{ type: "bar", x: changes.map(function (c) { return label(c.id); }), y: changes.map(function (c) { return c.delta; }),
              marker: { color: colours.baseline }, hovertemplate: "%{x}<br>%{y}<extra></extra>" }],
              { title: title(label(metric.name) + ": change per item (" + label(node.getAttribute("data-direction")) + ")"), showlegend: false, height: 380, font: font, modebar: modebar, margin: { t: 60 },
                xaxis: { type: "category", title: { text: "Item, sorted by change" }, automargin: true },
                yaxis: { title: { text: "Candidate − baseline" + (unit ? " (" + unit + ")" : "") },
                  zeroline: true, zerolinecolor: colours.ink, zerolinewidth: 2 } });
          }
          function allDeltas(node) {
            var shown = data.metrics.filter(function (metric) { return isNumber(metric.delta); });
            if (shown.length === 0) { empty(node, "No metric has a delta to draw."); return; }
            var traces = [], layout = { grid: { rows: shown.length, columns: 1, pattern: "independent", ygap: 0.6 }, showlegend: false,
              height: 70 * shown.length + 110, font: font, modebar: modebar, margin: { t: 60 }, title: title("Delta per metric, with 95% interval") };
            shown.forEach(function (metric, index) {
              var suffix = index === 0 ? "" : String(index + 1);
              var low = isNumber(metric.interval_low) ? metric.interval_low : metric.delta;
              var high = isNumber(metric.interval_high) ? metric.interval_high : metric.delta;
              var left = Math.min(0, low, metric.delta), right = Math.max(0, high, metric.delta);
              var pad = (right - left) * 0.1 || 1;
              traces.push({ type: "scatter", mode: "markers", x: [metric.delta], y: [label(metric.name)], xaxis: "x" + suffix, yaxis: "y" + suffix,
                marker: { color: colours.ink, size: 9 }, hovertemplate: "%{y}: %{x} [" + low + ", " + high + "]<extra></extra>",
                error_x: { type: "data", symmetric: false, array: [high - metric.delta], arrayminus: [metric.delta - low], visible: true,
                  color: colours.baseline, thickness: 2 } });
              layout["xaxis" + suffix] = { range: [left - pad, right + pad], zeroline: true, zerolinecolor: colours.ink, zerolinewidth: 2 };
              layout["yaxis" + suffix] = { type: "category", automargin: true };
            });
            draw(node, traces, layout);
          }
          var nodes = document.querySelectorAll("[data-chart]");
          for (var n = 0; n < nodes.length; n++) {
            var node = nodes[n], kind = node.getAttribute("data-chart");
            if (kind === "all-deltas") { allDeltas(node); continue; }
            var metric = data.metrics[Number(node.getAttribute("data-metric"))];
            if (!metric) { failed(node, "no such metric"); continue; }
            if (kind === "distribution") { distribution(node, metric); } else if (kind === "item-deltas") { itemDeltas(node, metric); }
          }
        })();
        """
}
