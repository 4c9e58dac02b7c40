// Shows every <time data-local-target> in the viewer's own time zone, next to the
// UTC time the server printed. Loaded as a file: the CSP forbids inline scripts.
(function () {
  "use strict";
  // The server prints "5 December 2026, 12:00 UTC" (day month year, 24-hour) in every
  // language; the local time takes the same shape, so the two read alike. Plain "en"
  // would give the US style ("December 5, 2026 at 1:00 PM"), hence en-GB.
  function localeOfPage() {
    var lang = document.documentElement.lang || "";
    return lang === "en" || lang.indexOf("en-") === 0 ? "en-GB" : lang || undefined;
  }
  var format = new Intl.DateTimeFormat(localeOfPage(), {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  var zone = format.resolvedOptions().timeZone;

  function formatted(instant) {
    var parts = {};
    format.formatToParts(instant).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.day + " " + parts.month + " " + parts.year + ", " + parts.hour + ":" + parts.minute;
  }

  function showLocalTimes(root) {
    root.querySelectorAll("time[data-local-target]").forEach(function (el) {
      var target = document.getElementById(el.dataset.localTarget);
      var instant = new Date(el.getAttribute("datetime"));
      if (!target || isNaN(instant)) {
        return;
      }
      target.textContent = target.dataset.prefix + " " + formatted(instant) + " (" + zone + ")";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    showLocalTimes(event.target);
  });
})();
