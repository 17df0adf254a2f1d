/* Every page: "/" focuses the search box. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    var box = document.getElementById("search-box") || document.getElementById("quick-search-box");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });
})();
