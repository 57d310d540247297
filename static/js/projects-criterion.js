// Success-criterion form: show only the fields that belong to the chosen kind and target.
// Without JavaScript every field is shown and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form[data-criterion-form]");
  if (!form) { return; }
  function sync(name, attribute) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    var value = checked ? checked.value : "";
    form.querySelectorAll("[" + attribute + "]").forEach(function (el) {
      el.hidden = el.getAttribute(attribute) !== value;
    });
  }
  function update() {
    sync("kind", "data-kind");
    sync("target_type", "data-target");
  }
  form.addEventListener("change", update);
  update();
})();
