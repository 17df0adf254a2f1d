"""Live reload for the preview: an event stream (server-sent events) that tells open
pages to reload or to show a build error, and the small script injected into HTML
responses that listens to it (the files on disk stay exactly what ``build`` writes)."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

EVENTS_PATH = "/__archivist/events"


CLIENT_PATH = "/__archivist/reload.js"


CLIENT_SCRIPT = """(function () {
  "use strict";
  var key = "archivist-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var y = parseInt(saved, 10);
    window.scrollTo(0, y);
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }
  function overlay(report) {
    var box = document.getElementById("archivist-overlay");
    if (!report) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "archivist-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:99999;max-height:50vh;overflow:auto;" +
        "background:#2b0b0b;color:#fff;font:14px/1.5 monospace;padding:1rem;border-radius:8px;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "构建出错（显示的是上一次成功的版本）\\n\\n" + report.errors.map(function (e) {
      return e.path + "\\n  " + e.error;
    }).join("\\n");
  }
  var source = new EventSource("/__archivist/events");
  source.addEventListener("reload", function (event) {
    var moved = (JSON.parse(event.data).moved || {})[location.pathname];
    if (moved) { location.replace(moved + location.hash); return; }  // the article's slug changed: follow it
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("failed", function (event) { overlay(JSON.parse(event.data)); });
  source.addEventListener("ok", function () { overlay(null); });
})();
"""


@dataclass
class Broadcast:
    """Build outcomes, fanned out to every connected page."""

    listeners: list[queue.Queue] = field(default_factory=list)
    last_failure: dict | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self) -> queue.Queue:
        mailbox: queue.Queue = queue.Queue()
        with self.lock:
            self.listeners.append(mailbox)
            if self.last_failure:
                mailbox.put(("failed", self.last_failure))
        return mailbox

    def unsubscribe(self, mailbox: queue.Queue) -> None:
        with self.lock:
            if mailbox in self.listeners:
                self.listeners.remove(mailbox)

    def send(self, event: str, data: dict) -> None:
        with self.lock:
            self.last_failure = data if event == "failed" else None
            for mailbox in self.listeners:
                mailbox.put((event, data))


def inject(html: bytes) -> bytes:
    tag = f'<script src="{CLIENT_PATH}"></script>'.encode()
    position = html.rfind(b"</body>")
    return html[:position] + tag + html[position:] if position >= 0 else html + tag
