// Keyboard shortcuts and small behaviours (an external file: the CSP allows no inline script).
// j/k move the selection in the queue, Enter opens, c claims, v opens the verdict form, / searches,
// ? shows the list. Keys are ignored while typing in a field.
(function () {
  "use strict";
  var selected = null;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr[data-case]")); }

  function select(row) {
    if (selected) { selected.classList.remove("selected"); selected.removeAttribute("aria-selected"); }
    selected = row;
    if (row) {
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
      row.scrollIntoView({block: "nearest"});
      sessionStorage.setItem("monitor.selected", row.getAttribute("data-case"));
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var i = selected ? all.indexOf(selected) : -1;
    i = Math.max(0, Math.min(all.length - 1, i + step));
    select(all[i]);
  }

  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function post(url) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf_token"; token.value = csrf();
    var back = document.createElement("input");
    back.type = "hidden"; back.name = "back"; back.value = location.pathname + location.search;
    form.appendChild(token); form.appendChild(back);
    document.body.appendChild(form);
    form.submit();
  }

  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  function restore() {
    var id = sessionStorage.getItem("monitor.selected");
    if (!id) { return; }
    var row = document.querySelector('table.queue tbody tr[data-case="' + id.replace(/[^0-9]/g, "") + '"]');
    if (row) { select(row); }
  }

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      if (ev.key === "Escape") { t.blur(); }
      return;
    }
    var verdict = document.getElementById("verdict");
    switch (ev.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": if (selected) { location.href = selected.getAttribute("data-href"); } else { return; } break;
      case "c":
        if (selected) { post(selected.getAttribute("data-claim")); }
        else if (document.getElementById("claim")) { document.getElementById("claim").click(); }
        else { return; }
        break;
      case "v":
        if (verdict) { verdict.open = true; var first = verdict.querySelector("input[name=verdict]"); if (first) { first.focus(); } }
        else if (selected) { location.href = selected.getAttribute("data-href") + "#verdict"; }
        else { return; }
        break;
      case "/":
        var q = document.getElementById("q");
        if (q) { q.focus(); } else { location.href = "/search"; }
        break;
      case "?": toggleHelp(); break;
      case "Escape": toggleHelp(false); break;
      default: return;
    }
    ev.preventDefault();
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.hasAttribute && t.hasAttribute("data-close-help")) { toggleHelp(false); }
    var row = t && t.closest ? t.closest("table.queue tbody tr[data-case]") : null;
    if (row && t.tagName !== "A" && t.tagName !== "INPUT") { select(row); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    restore();
    if (location.hash === "#verdict") {
      var v = document.getElementById("verdict");
      if (v) { v.open = true; }
    }
  });
  document.addEventListener("htmx:afterSettle", restore);
  // Polling must not wipe a leader's half-made selection for a bulk action.
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (document.querySelector("#queue input[name=case]:checked")) { ev.preventDefault(); }
  });
})();
