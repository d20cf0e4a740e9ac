// Keyboard shortcuts of the review pages. Everything also works without them (plain links and
// forms); this only saves the reviewer's hands.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
  var current = -1;
  function select(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === current); });
    var link = rows[current].querySelector("a");
    if (link) { link.focus(); }
  }
  function press(id) {
    var b = document.getElementById(id);
    if (b) { b.click(); }
  }
  function focus(id, e) {
    var f = document.getElementById(id);
    if (f) { f.focus(); e.preventDefault(); }
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    switch (e.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "c": press("confirm"); break;
      case "l": focus("reason", e); break;
      case "n": focus("note", e); break;
      case "u": press("undo"); break;
      default: return;
    }
  });
})();
