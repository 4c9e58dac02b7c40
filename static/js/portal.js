// Shows every <time class="deadline"> in the viewer's own time zone, next to the
// UTC time the server printed. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";
  function showLocalTimes(root) {
    root.querySelectorAll("time[data-local-target]").forEach(function (el) {
      var target = document.getElementById(el.dataset.localTarget);
      var instant = new Date(el.getAttribute("datetime"));
      if (!target || isNaN(instant)) {
        return;
      }
      // dateStyle/timeStyle cannot be combined with timeZoneName (a TypeError that
      // stopped every conversion); the zone's name is appended below instead.
      var formatted = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "full",
        timeStyle: "short",
      }).format(instant);
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      target.textContent = target.dataset.prefix + " " + formatted + " (" + zone + ")";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    showLocalTimes(event.target);
  });
})();
