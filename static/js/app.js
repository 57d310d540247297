// Small progressive enhancements shared by every page. No inline scripts (CSP).
(function () {
  "use strict";
  // Auto-submit <select data-autosubmit> filters for keyboard and pointer users alike.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
  // Confirm destructive actions: <form data-confirm="...">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // Forms that store something: <form data-submit-once>. The first submit goes and the
  // buttons are disabled, so a double click sends one request (the server also stores a
  // repeated one only once: the form's idempotency key). They come back when the submit was
  // refused here (another handler prevented it), when the page is shown again from the
  // back/forward cache, and after 10 seconds (a lost answer may be sent again: the key
  // makes that safe).
  var ONCE = "form[data-submit-once]";
  function buttonsOf(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }
  function release(form) {
    delete form.dataset.submitting;
    buttonsOf(form).forEach(function (button) { button.disabled = false; });
  }
  document.querySelectorAll(ONCE).forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting) { event.preventDefault(); return; }
      form.dataset.submitting = "1";
      // After the other handlers, and after the browser has taken the pressed button's
      // name and value into the request (a disabled button sends none).
      window.setTimeout(function () {
        if (event.defaultPrevented) { release(form); return; }
        buttonsOf(form).forEach(function (button) { button.disabled = true; });
        window.setTimeout(function () { release(form); }, 10000);
      }, 0);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(ONCE).forEach(release);
  });
})();
