
(function () {
  "use strict";
  // Filters and sorting over the rows the HTML already has; without JavaScript the full table shows.
  var form = document.getElementById("filters");
  var table = document.getElementById("jobs");
  var status = document.getElementById("status");
  var empty = document.getElementById("empty");
  if (!form || !table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var total = rows.length;
  form.hidden = false;

  function checked(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name='" + name + "']:checked"))
      .map(function (box) { return box.value; });
  }
  function words(text) { return (text || "").split(" ").filter(Boolean); }
  function number(text) { return text === "" || text === undefined ? null : Number(text); }

  function matches(row, f) {
    var d = row.dataset;
    if (f.workplace.length && f.workplace.indexOf(d.workplace) < 0) { return false; }
    if (f.country && words(d.countries).indexOf(f.country) < 0) { return false; }
    if (f.seniority && d.seniority !== f.seniority) { return false; }
    var skills = words(d.skills);
    if (!f.skills.every(function (s) { return skills.indexOf(s) >= 0; })) { return false; }
    if (f.floor > 0) {
      var top = number(d.salaryMax);
      if (top === null || top < f.floor) { return false; }
    }
    return f.terms.every(function (t) { return d.search.indexOf(t) >= 0; });
  }

  function compare(key, dir) {
    return function (a, b) {
      var x, y;
      if (key === "salary") {
        x = number(a.dataset.salaryMax); y = number(b.dataset.salaryMax);
        if (x === null || y === null) {  // jobs without a salary go last either way, newest first
          if (x !== y) { return x === null ? 1 : -1; }
          return compare("date", -1)(a, b);
        }
        if (x === y) {
          x = number(a.dataset.salaryMin) || 0; y = number(b.dataset.salaryMin) || 0;
        }
      } else {
        x = a.dataset.posted; y = b.dataset.posted;
      }
      if (x === y) { return a.dataset.id < b.dataset.id ? 1 : -1; }
      return (x < y ? -1 : 1) * dir;
    };
  }

  function apply() {
    var skills = checked("skill");
    var f = {
      workplace: checked("workplace"),
      country: form.elements.country.value,
      seniority: form.elements.seniority.value,
      skills: skills,
      floor: Number(form.elements.salary.value) || 0,
      terms: words(form.elements.q.value.trim().toLowerCase().replace(/\s+/g, " "))
    };
    var sort = form.elements.sort.value.split("-");
    var shown = 0;
    rows.slice().sort(compare(sort[0], sort[1] === "asc" ? 1 : -1)).forEach(function (row) {
      var ok = matches(row, f);
      row.hidden = !ok;
      if (ok) { shown += 1; }
      tbody.appendChild(row);
    });
    status.textContent = shown === total ? total + " jobs" : "Showing " + shown + " of " + total + " jobs";
    if (empty) { empty.hidden = shown > 0; }
    var count = form.querySelector(".skill-count");
    if (count) { count.textContent = skills.length ? "(" + skills.length + " selected)" : ""; }
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
