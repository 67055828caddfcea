/* Sortable tables, as progressive enhancement: the table is complete without this script.
   Each heading of a `table.sortable` becomes a button; activating it sorts the rows by that
   column (numbers by `data-value` or their text), and `aria-sort` says how it is sorted. */
(function () {
  "use strict";
  function value(cell, numeric) {
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (!numeric) { return raw.toLocaleLowerCase(); }
    var number = parseFloat(raw);
    return isNaN(number) ? null : number;
  }
  function compare(a, b, numeric) {
    if (numeric) {
      if (a === null) { return b === null ? 0 : 1; }   /* no figure: always last */
      if (b === null) { return -1; }
      return a - b;
    }
    return a.localeCompare(b);
  }
  function sortBy(table, index, header) {
    var numeric = header.getAttribute("data-sort") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = value(r1.cells[index], numeric), b = value(r2.cells[index], numeric);
      if (numeric && (a === null || b === null)) { return compare(a, b, true); }
      var order = compare(a, b, numeric);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, header); });
    });
  });
})();
