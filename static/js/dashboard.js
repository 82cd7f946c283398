/* The district dashboard: draw the charts from the numbers the page embeds (#dashboard-data).
   Every chart has a table beside it with the same numbers. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLOURS = {
    excellent: "#198754",
    competent: "#0d6efd",
    basic: "#f0ad00",
    incompetent: "#dc3545"
  };
  var text = data.text;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = true;
  /* On a phone a wide chart would be a thin strip with its labels on top of each other: there
     each chart is drawn taller than it is wide on a desk. */
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  function ratio(wide) {
    return narrow ? Math.min(wide, 1.2) : wide;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  draw("chart-grades", {
    type: "doughnut",
    data: {
      labels: data.grades.map(function (g) { return g.label; }),
      datasets: [{
        label: text.secretaries,
        data: data.distribution,
        backgroundColor: data.grades.map(function (g) { return COLOURS[g.code]; })
      }]
    },
    options: { aspectRatio: 1.6, plugins: { legend: { position: "right" } } }
  });

  var streetSets = data.grades.map(function (g) {
    return {
      type: "bar",
      label: g.label,
      data: data.streets.counts[g.code],
      backgroundColor: COLOURS[g.code],
      stack: "grades",
      yAxisID: "y",
      order: 1
    };
  });
  streetSets.push({
    type: "line",
    label: text.average,
    data: data.streets.average,
    borderColor: "#6c757d",
    backgroundColor: "#6c757d",
    showLine: false,
    pointRadius: 7,
    pointBorderColor: "#fff",
    pointBorderWidth: 2,
    pointStyle: "rectRot",
    yAxisID: "y1",
    order: 0 /* drawn over the bars */
  });
  draw("chart-streets", {
    data: { labels: data.streets.labels, datasets: streetSets },
    options: {
      aspectRatio: ratio(3),
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
             title: { display: true, text: text.secretaries } },
        y1: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
              title: { display: true, text: text.average } }
      }
    }
  });

  var lineColours = ["#b02a37", "#adb5bd"];
  draw("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.labels,
      datasets: data.trend.series.map(function (s, i) {
        return {
          label: s.label,
          data: s.values,
          borderColor: lineColours[i],
          backgroundColor: lineColours[i],
          spanGaps: true,
          pointRadius: 5
        };
      })
    },
    options: {
      aspectRatio: ratio(2),
      scales: { y: { suggestedMin: 50, suggestedMax: 100,
                     title: { display: true, text: text.average } } }
    }
  });

  draw("chart-problems", {
    type: "bar",
    data: {
      labels: data.problems.labels,
      datasets: [
        { label: text.open, data: data.problems.open, backgroundColor: "#f0ad00" },
        { label: text.in_progress, data: data.problems.in_progress, backgroundColor: "#0d6efd" },
        { label: text.overdue, data: data.problems.overdue, backgroundColor: "#dc3545" }
      ]
    },
    options: { aspectRatio: ratio(3), scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  draw("chart-completion", {
    type: "bar",
    data: {
      labels: data.completion.labels,
      datasets: [{ label: text.submitted, data: data.completion.percent,
                   backgroundColor: "#198754", maxBarThickness: 32 }]
    },
    options: { indexAxis: "y", aspectRatio: ratio(2.5), scales: { x: { min: 0, max: 100 } } }
  });
})();
