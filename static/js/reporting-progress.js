// Polls a committee report's JSON status until the PDF is ready (no inline script: CSP).
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var label = box.querySelector("[data-status-label]");
  var bar = box.querySelector("[data-progress-bar]");
  var barWrap = box.querySelector("[role=progressbar]");
  var download = box.querySelector("[data-download]");
  var error = box.querySelector("[data-error]");
  var restart = box.querySelector("[data-restart]");
  var delay = 1000;
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        label.textContent = data.status_label;
        bar.style.width = data.progress + "%";
        barWrap.setAttribute("aria-valuenow", data.progress);
        if (data.download_url) {
          download.href = data.download_url;
          download.classList.remove("d-none");
        }
        if (data.error) {
          error.textContent = data.error;
          error.classList.remove("d-none");
          if (restart) { restart.classList.remove("d-none"); }
        }
        if (!data.finished) {
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
