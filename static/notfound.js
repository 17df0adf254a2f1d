/* The 404 page, inlined into it.  A host serves that page for any missing
   path, so its relative links would resolve against the missing path: when
   the page was served from below the site's own path (base_url), re-root
   them at the file's real location.  From file:// or a zip the page is
   opened as itself and its links are already right. */
(function () {
  "use strict";
  var body = document.body;
  var basePath = body.getAttribute("data-base-path");
  var self = body.getAttribute("data-self");
  if (!/^https?:$/.test(location.protocol) || !basePath || document.querySelector("base")) return;
  var real = basePath + self;
  var path = location.pathname;
  // Opened as itself (at any sub-path), or served from outside the site's path: leave it.
  if (path.slice(-self.length - 1) === "/" + self || path.indexOf(basePath) !== 0) return;
  var here = location.origin + real;
  document.querySelectorAll("a[href], form[action]").forEach(function (element) {
    var attribute = element.tagName === "FORM" ? "action" : "href";
    var value = element.getAttribute(attribute);
    if (!value || /^([a-z][a-z0-9+.-]*:|\/|#)/i.test(value)) return;
    element.setAttribute(attribute, new URL(value, here).href);
  });
})();
