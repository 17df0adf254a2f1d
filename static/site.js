/* Every page: "/" focuses the search box; the 简/繁 choice is remembered;
   a slogan link shows its meaning on the first tap, opens on the second. */
(function () {
  "use strict";
  var KEY = "archive-script";
  var body = document.body;
  var current = body.getAttribute("data-script");
  var switcher = document.querySelector(".script-switch");

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(value) {
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode: no memory */ }
  }

  if (switcher) {
    var wanted = stored();
    if (wanted && wanted !== current && wanted === switcher.getAttribute("data-script-target")) {
      window.location.replace(switcher.href + window.location.search + window.location.hash);
      return;
    }
    switcher.addEventListener("click", function (event) {
      store(switcher.getAttribute("data-script-target"));
      event.preventDefault();
      window.location.href = switcher.href + window.location.search + window.location.hash;
    });
  }

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

  var touched = null;
  document.addEventListener("touchstart", function (event) {
    var link = event.target.closest && event.target.closest("a.slogan");
    if (link && link !== touched) {
      touched = link;
      link.focus();
      link.addEventListener("click", function once(click) {
        click.preventDefault();
        link.removeEventListener("click", once);
      });
    }
  }, { passive: true });
})();
