"""The benchmark harness: ``python bench/run.py --n N [--json FILE] [--with-anchors]``.

For a synthetic corpus of N articles (bench/corpus.py) it measures, in
separate processes on this machine: full build time and per stage, peak memory
of the build's process tree, pages written and output size, a no-change
rebuild, a one-article edit, the search index (raw and gzip), the bytes a
query loads, and query time in headless Chromium; and how fast saved web
pages (the HTML fixtures) are read, on one core.  With ``--with-anchors`` it
builds the same articles with Hugo and indexes our output with Pagefind, and
prints our figures as ratios to theirs.  Times are medians of ``--repeat``
runs; the machine is shared, so read ratios rather than absolute seconds.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

QUERIES = {
    "one character": "党",
    "two characters": "党建",
    "phrase": "乡村振兴示范",
    "Traditional": "黨建聯建",
    "number": "1313",
}
CHROMIUM = "/usr/bin/chromium"
PAGEFIND_LIMIT = 20_000  # articles; see anchors()


def corpus_size(corpus: Path) -> int:
    return sum(1 for _ in corpus.iterdir())


def tree_memory(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, in bytes: resident (RSS,
    summed: a page that forked workers share with the build counts once per
    process) and proportional (PSS: each shared page split between them, so
    the sum is what the tree takes from the machine)."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def measure(command: list[str], cwd: Path = ROOT) -> tuple[float, int, str, int]:
    """Wall seconds, peak RSS of the process tree (sampled every 50 ms),
    stdout, peak PSS of the tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_pss = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        rss, pss = tree_memory(process.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.05)
    reader.join()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed ({process.returncode}): {process.stderr.read()[-2000:]}")
    process.stderr.close()
    return seconds, peak, "".join(output), peak_pss


def build_command(corpus: Path, site: Path, scheduler: str = "") -> list[str]:
    return [
        sys.executable,
        str(ROOT / "build.py"),
        "build",
        "--content",
        str(corpus),
        "--out",
        str(site),
        "-q",
        "--timings",
        *(["--scheduler", scheduler] if scheduler else []),
    ]


def stages_of(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {}


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def edit_one_article(corpus: Path) -> Path:
    """Change one sentence in the middle of one article, as an editor would."""
    target = sorted(corpus.iterdir())[len(list(corpus.iterdir())) // 2]
    text = target.read_text(encoding="utf-8")
    marker = "推动乡村振兴提质增效"
    replacement = "推动乡村振兴提质增效（编辑修订）" if "（编辑修订）" not in text else "推动乡村振兴提质增效"
    target.write_text(text.replace(marker + "（编辑修订）", marker).replace(marker, replacement, 1), encoding="utf-8")
    return target


def output_budget(site: Path, n: int) -> dict:
    """Files and bytes in the published folder, per article, with the
    largest folder (entries) and the largest file: what hosts limit."""
    files = 0
    size = 0
    largest_folder = (0, "")
    largest_file = (0, "")
    for folder, dirs, names in os.walk(site):
        entries = len(dirs) + len(names)
        if entries > largest_folder[0]:
            largest_folder = (entries, os.path.relpath(folder, site))
        for name in names:
            bytes_ = os.path.getsize(os.path.join(folder, name))
            files += 1
            size += bytes_
            if bytes_ > largest_file[0]:
                largest_file = (bytes_, os.path.relpath(os.path.join(folder, name), site))
    return {
        "files": files,
        "output_mb": size / 2**20,
        "files_per_article": files / n,
        "kb_per_article": size / 1024 / n,
        "largest_folder": list(largest_folder),
        "largest_file_mb": [largest_file[0] / 2**20, largest_file[1]],
    }


class Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves the site and notes each path asked for."""

    def __init__(self, *args, requested: list[str], **kwargs):
        self.requested = requested  # set first: the base class handles the request in __init__
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        self.requested.append(urllib.parse.unquote(self.path.split("?")[0]))
        super().do_GET()


def query_bytes(site: Path) -> dict[str, int]:
    """Gzip bytes one query loads, as Chromium loads them: a fresh page per
    query, the site served over HTTP, every file the page asks for until the
    results are shown (scripts, shards, table files, facet names, the
    results' own files) counted at its gzip size."""
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(Recorder, requested=requested, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sizes = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for label, query in QUERIES.items():
                context = browser.new_context()  # nothing cached from the last query
                page = context.new_page()
                requested.clear()
                page.goto(base + "search.html?q=" + urllib.parse.quote(query))
                page.wait_for_selector("body[data-search-done]", timeout=120_000)
                paths = set(requested)
                sizes[label] = sum(
                    gzip_size(site / path.lstrip("/")) for path in paths if (site / path.lstrip("/")).is_file()
                )
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return sizes


def query_times(site: Path, repeat: int = 15) -> dict[str, tuple[float, float]]:
    """Median and p95 milliseconds per query in headless Chromium, after the
    page has loaded (the first, cold run included)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, tuple[float, float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page()
        page.goto((site / "search.html").as_uri())
        page.wait_for_function("typeof window.archiveSearch === 'function'")
        for label, query in QUERIES.items():
            samples = page.evaluate(
                """async ([q, n]) => { const out = [];
                     for (let i = 0; i < n; i++) { const t = performance.now(); await window.archiveSearch(q);
                       out.push(performance.now() - t); } return out; }""",
                [query, repeat],
            )
            samples.sort()
            times[label] = (statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))])
        browser.close()
    return times


def hugo_site(corpus: Path, folder: Path) -> Path:
    """The same articles as Markdown in a minimal Hugo site."""
    from archivist.pipeline import load_corpus

    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content" / "posts").mkdir(parents=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n', encoding="utf-8")
    layout = (
        '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>'
    )
    (folder / "layouts" / "_default" / "baseof.html").write_text(layout, encoding="utf-8")
    (folder / "layouts" / "_default" / "single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}', encoding="utf-8"
    )
    (folder / "layouts" / "_default" / "list.html").write_text(
        '{{ define "main" }}{{ range .Paginator.Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}',
        encoding="utf-8",
    )
    for n, article in enumerate(load_corpus(corpus).articles):
        body = "\n\n".join(article.paragraphs)
        date = article.date or "2000-01-01"
        title = article.title.replace('"', "'")
        (folder / "content" / "posts" / f"{n}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {date}\n---\n\n{body}\n', "utf-8"
        )
    return folder


def tool(name: str) -> Path:
    """A benchmark-only tool installed beside this interpreter (requirements-bench.txt)."""
    return Path(sys.executable).parent / name


def run(n: int, repeat: int, with_anchors: bool, browser: bool, pagefind: bool = True, scheduler: str = "") -> dict:
    from bench.corpus import write_corpus

    corpus = OUT / f"corpus-{n}"
    if not corpus.exists():
        write_corpus(n, corpus)
    site = OUT / f"site-{n}"
    full = []
    for _ in range(repeat):
        if site.exists():
            shutil.rmtree(site)
        full.append(measure(build_command(corpus, site)))
    seconds, peak, output, peak_pss = sorted(full)[len(full) // 2]
    result: dict = {
        "n": n,
        "full_build_s": seconds,
        "peak_rss_mb": peak / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
        "stages_s": stages_of(output).get("stages"),
    }
    if scheduler:
        # The same full build with files read on a Dask cluster (its start included).
        on_cluster = OUT / f"site-{n}-cluster"
        runs = []
        for _ in range(repeat):
            shutil.rmtree(on_cluster, ignore_errors=True)
            runs.append(measure(build_command(corpus, on_cluster, scheduler)))
        cluster_seconds, _, cluster_output, cluster_pss = sorted(runs)[len(runs) // 2]
        result["cluster"] = {
            "scheduler": scheduler,
            "full_build_s": cluster_seconds,
            "peak_pss_mb": cluster_pss / 2**20,
            "stages_s": stages_of(cluster_output).get("stages"),
            "same_site": same_tree(site, on_cluster),
        }
        shutil.rmtree(on_cluster, ignore_errors=True)
    result["pages"] = sum(1 for _ in site.rglob("*.html"))
    result["output"] = output_budget(site, n)
    result["output_mb"] = result["output"]["output_mb"]
    result["no_change_s"] = statistics.median(measure(build_command(corpus, site))[0] for _ in range(repeat))
    edits = []
    for _ in range(repeat):
        edit_one_article(corpus)
        edit_seconds, _, edit_output, _ = measure(build_command(corpus, site))
        edits.append((edit_seconds, stages_of(edit_output)))
    result["edit_one_s"] = statistics.median(e[0] for e in edits)
    result["edit_files_written"] = edits[-1][1].get("changed")
    # The index: the directory, shards, tiers, counts and the facet table (not the results' own files).
    index_files = [site / "search" / "index.js",
                   *(path for part in ("shards", "tiers", "counts", "table")
                     for path in sorted((site / "search" / part).rglob("*.js")))]  # fmt: skip
    result["index_raw_mb"] = sum(p.stat().st_size for p in index_files) / 2**20
    result["index_gzip_mb"] = sum(gzip_size(p) for p in index_files) / 2**20
    shard_files = sorted((site / "search" / "shards").glob("*/*.js"))
    result["shards"] = len(shard_files)
    result["largest_shard_gzip_kb"] = max(gzip_size(p) for p in shard_files) / 1024
    result["query_kb_gzip"] = {k: v / 1024 for k, v in query_bytes(site).items()}
    if browser:
        result["query_ms"] = query_times(site)
    if with_anchors:
        result["anchors"] = anchors(corpus, site, repeat, pagefind)
    return result


def same_tree(first: Path, second: Path) -> bool:
    """Whether two built sites hold the same files, byte for byte."""
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    others = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    return files == others and all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def anchors(corpus: Path, site: Path, repeat: int, with_pagefind: bool = True) -> dict:
    folder = hugo_site(corpus, OUT / f"hugo-{corpus.name}")
    hugo = [measure([str(tool("hugo")), "--quiet", "--source", str(folder)], cwd=folder) for _ in range(repeat)]
    hugo_seconds, hugo_peak, *_ = sorted(hugo)[len(hugo) // 2]
    pagefind = []
    if corpus_size(corpus) > PAGEFIND_LIMIT or not with_pagefind:
        # Pagefind 1.5 peaked at 13 GB indexing 10,000 articles' pages: at
        # this size it would not fit the machine, so it is not run.
        return {"hugo_s": hugo_seconds, "hugo_peak_mb": hugo_peak / 2**20}
    for _ in range(repeat):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        pagefind.append(measure([str(tool("python")), "-m", "pagefind", "--site", str(site)], cwd=ROOT))
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    pagefind_seconds, pagefind_peak, *_ = sorted(pagefind)[len(pagefind) // 2]
    return {"hugo_s": hugo_seconds, "hugo_peak_mb": hugo_peak / 2**20,
            "pagefind_s": pagefind_seconds, "pagefind_peak_mb": pagefind_peak / 2**20}  # fmt: skip


def print_table(result: dict) -> None:
    rows = [
        ("articles", f"{result['n']:,}"),
        ("full build", f"{result['full_build_s']:.1f} s"),
        ("  per stage", ", ".join(f"{k} {v:.1f}" for k, v in (result["stages_s"] or {}).items())),
        ("peak RSS / PSS (process tree)", f"{result['peak_rss_mb']:.0f} / {result.get('peak_pss_mb', 0):.0f} MB"),
        ("pages written", f"{result['pages']:,}"),
        ("output size", f"{result['output_mb']:.0f} MB in {result['output']['files']:,} files"),
        (
            "  per article",
            f"{result['output']['kb_per_article']:.1f} KB, {result['output']['files_per_article']:.2f} files",
        ),
        ("  largest folder (entries)", "{:,} ({})".format(*result["output"]["largest_folder"])),
        ("  largest file", "{:.2f} MB ({})".format(*result["output"]["largest_file_mb"])),
        ("no-change rebuild", f"{result['no_change_s']:.2f} s"),
        ("one-article edit rebuild", f"{result['edit_one_s']:.2f} s ({result['edit_files_written']} files written)"),
        (
            "index raw / gzip",
            f"{result['index_raw_mb']:.1f} MB / {result['index_gzip_mb']:.1f} MB in {result['shards']} shards",
        ),
        ("largest shard (gzip)", f"{result['largest_shard_gzip_kb']:.0f} KB"),
    ]
    rows += [(f"query loads: {k}", f"{v:.0f} KB gzip") for k, v in result["query_kb_gzip"].items()]
    for k, (median, p95) in result.get("query_ms", {}).items():
        rows.append((f"query time: {k}", f"{median:.1f} ms median, {p95:.1f} ms p95"))
    if "cluster" in result:
        c = result["cluster"]
        rows += [
            (
                f"full build, Dask {c['scheduler']}",
                f"{c['full_build_s']:.1f} s ({c['full_build_s'] / result['full_build_s']:.2f} of the local build), tree PSS {c['peak_pss_mb']:.0f} MB",
            ),
            ("  per stage", ", ".join(f"{k} {v:.1f}" for k, v in (c["stages_s"] or {}).items())),
            ("  same site as the local build", "yes" if c["same_site"] else "NO"),
        ]
    if "anchors" in result:
        a = result["anchors"]
        search_seconds = (result["stages_s"] or {}).get("search", 0.0)
        rows += [
            ("Hugo full build", f"{a['hugo_s']:.1f} s, {a['hugo_peak_mb']:.0f} MB"),
            ("ours / Hugo (build time)", f"{result['full_build_s'] / a['hugo_s']:.2f}"),
        ]
        if "pagefind_s" in a:
            rows += [
                ("Pagefind indexing our site", f"{a['pagefind_s']:.1f} s, {a['pagefind_peak_mb']:.0f} MB"),
                ("our index / Pagefind (time)", f"{search_seconds / a['pagefind_s']:.2f}"),
            ]
        else:
            rows.append(
                ("Pagefind indexing our site", f"not run (--no-pagefind, or above {PAGEFIND_LIMIT:,} articles: memory)")
            )
    width = max(len(r[0]) for r in rows)
    print(f"\n== {result['n']:,} articles ==")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


PAGE_FIXTURES = [ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "fixtures" / "pages-holdout"]


def saved_page_rate(repeat: int) -> dict:
    """Saved web pages (the HTML fixtures) read to articles in this one
    process, one core: pages per second, median of ``repeat`` passes."""
    from archivist.ingest.reading import normalise_file
    from archivist.text.lines import classification

    paths = sorted(path for folder in PAGE_FIXTURES for path in folder.glob("*.htm*"))
    for path in paths:  # the first pass loads the gazetteer, lexicon and extractor
        normalise_file(path)
    rates = []
    for _ in range(max(repeat, 3)):
        # Each pass as new pages: the memo of line readings starts empty
        # (within a pass, pages of one site still share theirs, as in an archive).
        classification.cache_clear()
        started = time.process_time()
        for path in paths:
            normalise_file(path)
        rates.append(len(paths) / (time.process_time() - started))
    return {"pages": len(paths), "pages_per_second": round(statistics.median(rates), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", default=[], help="corpus size (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--with-anchors", action="store_true", help="Hugo and Pagefind side by side")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument("--no-browser", action="store_true", help="skip query timing in Chromium")
    parser.add_argument("--no-pagefind", action="store_true", help="with anchors, Hugo only")
    parser.add_argument("--pages-only", action="store_true", help="only the saved-page reading rate")
    parser.add_argument("--scheduler", default="", help="also build on this Dask scheduler (local:N, tcp://HOST:PORT)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rate = saved_page_rate(args.repeat)
    print(f"saved web pages read, one core: {rate['pages_per_second']} pages/s ({rate['pages']} pages, CPU time)")
    if args.pages_only:
        return
    results: list[dict] = [{"saved_pages": rate}]
    for n in args.n:
        result = run(n, args.repeat, args.with_anchors, not args.no_browser, not args.no_pagefind, args.scheduler)
        print_table(result)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
