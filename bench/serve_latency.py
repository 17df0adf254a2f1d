"""Edit one article while ``build.py serve`` runs; print how long until the
served page shows the edit.  ``python bench/serve_latency.py --n 1000``
(uses the corpus bench/run.py made; copies it, so the original stays)."""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "bench" / "out" / f"corpus-{args.n}", work / "content")
        (work / "site.toml").write_text('[paths]\ncontent = "content"\noutput = "site"\n', encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "--config", str(work / "site.toml"), "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        url = None
        while url is None:
            line = server.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        target = sorted((work / "content").glob("*.md"))[len(list((work / "content").glob("*.md"))) // 2]
        title = re.search(r"^title: '(.*)'$", target.read_text("utf-8"), re.MULTILINE).group(1)
        from archivist.model import page_path
        from archivist.text.slug import make_slug

        date = re.search(r"^date: (\S+)", target.read_text("utf-8"), re.MULTILINE).group(1)
        page = url + page_path(make_slug(title, date), date)
        printed: list[str] = []
        threading.Thread(target=lambda: printed.extend(server.stdout), daemon=True).start()
        latencies, rebuilds = [], []
        for edit in range(args.edits):
            marker = f"编辑修订第{edit}次"
            done = len([line for line in printed if line.startswith("Rebuilt in")])
            target.write_text(target.read_text("utf-8").rstrip() + f"\n\n{marker}。\n", encoding="utf-8")
            started = time.perf_counter()
            while marker not in urllib.request.urlopen(page, timeout=30).read().decode():
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
            # The whole rebuild (every other page the edit changes) ends later.
            while len([line for line in printed if line.startswith("Rebuilt in")]) == done:
                time.sleep(0.05)
            rebuilds.append(time.perf_counter() - started)
            time.sleep(1)
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)
    shown = ", ".join(f"{x:.3f}" for x in latencies)
    print(f"{args.n} articles: edit -> page updated, median {statistics.median(latencies):.3f} s of [{shown}] s")
    print(f"{args.n} articles: edit -> whole rebuild done, median {statistics.median(rebuilds):.2f} s")


if __name__ == "__main__":
    main()
