// The listing calendar: pick nights by clicking (first night, then last night), which fills
// the change form; show only the fields the chosen operation needs; switch listings.
// Both calendars (a listing's month, the timeline of listings) page in place: the arrows fetch
// the next page and swap the calendar, so the window keeps its scroll position (and the
// timeline its horizontal one) instead of reloading at the top; the address follows, and
// Back/Forward page back. Without JavaScript the arrows are plain links.
(function () {
  "use strict";

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }
  function parse(value) {
    var parts = (value || "").split("-");
    if (parts.length !== 3) return null;
    var date = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    return isNaN(date.getTime()) ? null : date;
  }
  function addDays(date, days) {
    return new Date(date.getTime() + days * 86400000);
  }

  function init() {
    var root = document.getElementById("listing-calendar");
    if (!root) return;

    var switcher = document.getElementById("listing-switch");
    if (switcher) {
      switcher.addEventListener("change", function () {
        var template = switcher.getAttribute("data-url-template");
        window.location.href = template.replace("00000000-0000-0000-0000-000000000000", switcher.value);
      });
    }

    var form = document.getElementById("calendar-form");
    if (!form) return;
    var start = document.getElementById("id_start");
    var end = document.getElementById("id_end");
    var op = document.getElementById("id_op");
    var hint = document.getElementById("selection-hint");
    var cells = Array.prototype.slice.call(root.querySelectorAll("td.bo-day[data-date]"));
    var anchor = null;

    function highlight() {
      var from = parse(start.value), to = parse(end.value);
      var count = 0;
      cells.forEach(function (cell) {
        var day = parse(cell.getAttribute("data-date"));
        var inside = from && to && day >= from && day < to;
        cell.classList.toggle("is-selected", !!inside);
        if (inside) count += 1;
      });
      if (from && to && to > from) {
        var nights = Math.round((to - from) / 86400000);
        hint.textContent = iso(from) + " \u2192 " + iso(addDays(to, -1)) + " \u00b7 " + nights +
          (nights === 1 ? " night" : " nights") + " selected";
      }
      root.setAttribute("data-selected-nights", String(count));
    }

    cells.forEach(function (cell) {
      cell.addEventListener("click", function (event) {
        if (event.target.closest("a")) return; // a booking's link opens the booking
        if (cell.classList.contains("is-past")) return;
        var day = parse(cell.getAttribute("data-date"));
        if (anchor === null) {
          // First click: that night alone, and wait for the last night of the range.
          anchor = day;
          start.value = iso(day);
          end.value = iso(addDays(day, 1));
        } else {
          var first = day < anchor ? day : anchor;
          var last = day < anchor ? anchor : day;
          start.value = iso(first);
          end.value = iso(addDays(last, 1));
          anchor = null;
        }
        highlight();
      });
    });
    start.addEventListener("change", highlight);
    end.addEventListener("change", highlight);

    function showFields() {
      var value = op.value;
      document.getElementById("field-price").hidden = value !== "price";
      document.getElementById("field-note").hidden = value !== "block";
    }
    op.addEventListener("change", showFields);
    showFields();
    // A page re-shown with an error keeps its selection visible; a fresh page waits for clicks.
    if (root.getAttribute("data-bound") === "true") highlight();
    root.setAttribute("data-ready", "true");
  }

  var PAGERS = "#prev-month, #next-month, #this-month, #timeline-prev, #timeline-next";
  var ROOTS = ["listing-calendar", "calendar-timeline"];

  function currentRoot() {
    for (var i = 0; i < ROOTS.length; i += 1) {
      var root = document.getElementById(ROOTS[i]);
      if (root) return root;
    }
    return null;
  }

  function pageTo(url, push) {
    var root = currentRoot();
    if (!root || !window.fetch || !window.DOMParser) {
      window.location.href = url;
      return;
    }
    var top = window.scrollY;
    var wrap = root.querySelector(".bo-timeline-wrap");
    var left = wrap ? wrap.scrollLeft : 0;
    root.setAttribute("aria-busy", "true");
    window.fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(root.id);
        if (!fresh) throw new Error("no calendar in the page");
        root.replaceWith(document.importNode(fresh, true));
        document.title = doc.title;
        if (push) window.history.pushState({ calendar: true }, "", url);
        init();
        window.scrollTo(window.scrollX, top);
        var newWrap = currentRoot().querySelector(".bo-timeline-wrap");
        if (newWrap) newWrap.scrollLeft = left;
      })
      .catch(function () {
        window.location.href = url; // whatever went wrong, the plain page still works
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(PAGERS);
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    pageTo(link.href, true);
  });
  window.addEventListener("popstate", function () {
    if (currentRoot()) pageTo(window.location.href, false);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
