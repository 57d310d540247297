// Quick entry: a topic is raised either by the staff member or by the citizen, not both.
(function () {
  "use strict";
  document.querySelectorAll(".lb-topic input[data-pair]").forEach(function (box) {
    box.addEventListener("change", function () {
      var other = document.getElementById(box.dataset.pair);
      if (box.checked && other) { other.checked = false; }
    });
  });
})();
