(function () {
  "use strict";
  // Click a column header to sort by it (again: the other way). Empty cells sort last; equal
  // cells keep the plan's review order. "#sort=KEY" or "#sort=KEY:desc" sorts on load.
  var table = document.getElementById("items");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function value(row, i) {
    var cell = row.cells[i];
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? sort : cell.textContent;
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a.trim() !== "" && b.trim() !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b, undefined, {sensitivity: "base"});
  }
  function sortBy(head) {
    var i = head.cellIndex;
    var descending = head.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r, s) {
      var a = value(r, i), b = value(s, i), c = 0;
      if ((a === "") !== (b === "")) { return a === "" ? 1 : -1; }
      c = compare(a, b);
      if (descending) { c = -c; }
      return c || Number(r.getAttribute("data-order")) - Number(s.getAttribute("data-order"));
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
    head.setAttribute("aria-sort", descending ? "descending" : "ascending");
    table.setAttribute("data-sorted", head.getAttribute("data-key") + (descending ? ":desc" : ""));
  }
  Array.prototype.forEach.call(heads, function (head) {
    head.querySelector("button").addEventListener("click", function () { sortBy(head); });
  });
  var wanted = /^#sort=([a-z_]+)(:desc)?$/.exec(window.location.hash);
  if (wanted) {
    Array.prototype.forEach.call(heads, function (head) {
      if (head.getAttribute("data-key") === wanted[1]) {
        head.querySelector("button").click();
        if (wanted[2]) { head.querySelector("button").click(); }
      }
    });
  }
}());
