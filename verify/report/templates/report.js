// verify HTML report: filters, sorting, the page viewer and the language toggle.
// Plain inline JS, no server, no network: the report opens from a file on any machine.
(function () {
  "use strict";
  var LABELS = JSON.parse(document.getElementById("labels").textContent);
  var lang = "zh";
  var docs = Array.prototype.slice.call(document.querySelectorAll("article.doc"));
  var list = document.getElementById("doc-list");
  var state = { applicant: "", sevs: {}, codes: {}, problemsOnly: false };

  function label(key, n) {
    var text = (LABELS[lang] && LABELS[lang][key]) || LABELS.zh[key] || key;
    return n === undefined ? text : text.replace("{n}", n);
  }

  // ------------------------------------------------------------------ language
  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      if (!el.hasAttribute("data-zh")) el.setAttribute("data-zh", el.textContent);
      var key = el.getAttribute("data-i18n");
      if (lang === "zh") { el.textContent = el.getAttribute("data-zh"); return; }
      if (!(key in LABELS.en)) return; // e.g. kind names from the profile stay as written
      el.textContent = label(key, el.getAttribute("data-n") || undefined);
    });
  }
  document.getElementById("lang-toggle").addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh";
    applyLanguage();
    updateShown();
  });

  // ------------------------------------------------------------------ filters
  function words(el, attr) {
    var v = el.getAttribute(attr);
    return v ? v.split(" ") : [];
  }
  function anyOf(selected, values) {
    var keys = Object.keys(selected);
    if (!keys.length) return true;
    return values.some(function (v) { return selected[v]; });
  }
  function matches(doc) {
    if (state.applicant && doc.getAttribute("data-applicant") !== state.applicant) return false;
    if (state.problemsOnly && !doc.getAttribute("data-codes")) return false;
    if (!anyOf(state.sevs, words(doc, "data-sevs"))) return false;
    if (!anyOf(state.codes, words(doc, "data-codes"))) return false;
    return true;
  }
  function updateShown() {
    var n = docs.filter(function (d) { return !d.hidden; }).length;
    var shown = document.getElementById("shown");
    shown.setAttribute("data-n", String(n));
    shown.setAttribute("data-zh", LABELS.zh["filter.shown"].replace("{n}", n));
    shown.textContent = label("filter.shown", n);
  }
  function applyFilters() {
    docs.forEach(function (d) { d.hidden = !matches(d); });
    updateShown();
  }
  function toggleChip(chip, set, key) {
    var on = chip.getAttribute("aria-pressed") !== "true";
    chip.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) set[key] = true; else delete set[key];
    applyFilters();
  }
  document.querySelectorAll(".sev-chip").forEach(function (chip) {
    chip.addEventListener("click", function () { toggleChip(chip, state.sevs, chip.getAttribute("data-sev")); });
  });
  document.querySelectorAll(".code-chip").forEach(function (chip) {
    chip.addEventListener("click", function () { toggleChip(chip, state.codes, chip.getAttribute("data-code")); });
  });
  var applicantSelect = document.getElementById("f-applicant");
  applicantSelect.addEventListener("change", function () {
    state.applicant = applicantSelect.value;
    applyFilters();
  });
  document.querySelectorAll(".pick-applicant").forEach(function (a) {
    a.addEventListener("click", function () {
      applicantSelect.value = a.getAttribute("data-applicant");
      state.applicant = applicantSelect.value;
      applyFilters();
    });
  });
  var problems = document.getElementById("f-problems");
  problems.addEventListener("change", function () {
    state.problemsOnly = problems.checked;
    applyFilters();
  });
  document.getElementById("f-clear").addEventListener("click", function () {
    state = { applicant: "", sevs: {}, codes: {}, problemsOnly: false };
    applicantSelect.value = "";
    problems.checked = false;
    document.querySelectorAll(".chip").forEach(function (c) { c.setAttribute("aria-pressed", "false"); });
    applyFilters();
  });
  // A duplicate link must show its target even if the filters hid it.
  document.querySelectorAll(".dup-link").forEach(function (a) {
    a.addEventListener("click", function () {
      var target = document.getElementById(a.getAttribute("data-target"));
      if (target && target.hidden) { target.hidden = false; updateShown(); }
    });
  });

  // ------------------------------------------------------------------ sorting
  var SORT_KEYS = {
    input: function (d) { return [Number(d.getAttribute("data-index"))]; },
    worst: function (d) { return [-Number(d.getAttribute("data-worst")), -Number(d.getAttribute("data-points"))]; },
    points: function (d) { return [-Number(d.getAttribute("data-points")), -Number(d.getAttribute("data-worst"))]; },
    path: function (d) { return [d.getAttribute("data-path")]; },
    date: function (d) { return [d.getAttribute("data-date") || "9999"]; },
    kind: function (d) { return [d.getAttribute("data-kind")]; }
  };
  function compareKeys(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }
  document.getElementById("sort").addEventListener("change", function (e) {
    var key = SORT_KEYS[e.target.value] || SORT_KEYS.input;
    docs.map(function (d) { return { d: d, k: key(d).concat([Number(d.getAttribute("data-index"))]) }; })
      .sort(function (x, y) { return compareKeys(x.k, y.k); })
      .forEach(function (x) { list.appendChild(x.d); });
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var ths = table.querySelectorAll("thead th");
    ths.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var desc = th.getAttribute("aria-sort") === "ascending";
        ths.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        var numeric = th.getAttribute("data-sort-type") === "num";
        var body = table.tBodies[0];
        Array.prototype.slice.call(body.rows).map(function (row, i) {
          var v = row.cells[col].getAttribute("data-sort");
          return { row: row, v: numeric ? Number(v) : v, i: i };
        }).sort(function (a, b) {
          var c = a.v < b.v ? -1 : a.v > b.v ? 1 : a.i - b.i;
          return desc ? -c : c;
        }).forEach(function (x) { body.appendChild(x.row); });
      });
    });
  });

  // ------------------------------------------------------------------ viewer
  var viewer = document.getElementById("viewer");
  var vimg = document.getElementById("vimg");
  var vframe = viewer.querySelector(".vframe");
  var current = null; // the thumbnail frame shown in the viewer
  function closeViewer() {
    current = null;
    viewer.hidden = true;
    vimg.removeAttribute("src");
    vframe.querySelectorAll(".box").forEach(function (b) { b.remove(); });
  }
  function openViewer(frame) {
    var img = frame.querySelector("img.thumb");
    var doc = frame.closest("article.doc");
    closeViewer();
    current = frame;
    vimg.src = img.getAttribute("data-full");
    frame.querySelectorAll(".box").forEach(function (b) { vframe.appendChild(b.cloneNode(true)); });
    document.getElementById("vcaption").textContent =
      doc.getAttribute("data-path") + " — " + label("page.n", frame.parentNode.getAttribute("data-page"));
    viewer.hidden = false;
  }
  document.querySelectorAll("figure.page .frame").forEach(function (frame) {
    frame.addEventListener("click", function () { openViewer(frame); });
    frame.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openViewer(frame); }
    });
  });
  // Left/right arrows page through the shown pages of the same document.
  function step(delta) {
    if (!current) return;
    var frames = Array.prototype.slice.call(current.closest("article.doc").querySelectorAll("figure.page .frame"));
    var next = frames[frames.indexOf(current) + delta];
    if (next) openViewer(next);
  }
  document.querySelectorAll(".page-link").forEach(function (link) {
    link.addEventListener("click", function () {
      var frame = link.closest("article.doc").querySelector(
        'figure.page[data-page="' + link.getAttribute("data-page") + '"] .frame');
      if (frame) frame.click();
    });
  });
  document.getElementById("vclose").addEventListener("click", closeViewer);
  viewer.addEventListener("click", function (e) {
    if (e.target === viewer || e.target.classList.contains("vscroll")) closeViewer();
  });
  document.addEventListener("keydown", function (e) {
    if (viewer.hidden) return;
    if (e.key === "Escape") closeViewer();
    else if (e.key === "ArrowRight") step(1);
    else if (e.key === "ArrowLeft") step(-1);
  });

  applyFilters();
})();
