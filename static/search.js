/* Search page: lunr.js over the prebuilt index, facets, snippets, URL state.
   Everything it needs arrives by <script> tags, so it works from file://. */
(function () {
  "use strict";
  var FOLD = window.ARCHIVE_FOLD;
  var DIRECTORY = window.ARCHIVE_SEARCH;
  var TABLE = (window.ARCHIVE_TABLE = window.ARCHIVE_TABLE || {});
  var NAMES = (window.ARCHIVE_NAMES = window.ARCHIVE_NAMES || {});
  var S = window.ArchiveShards;
  var T = window.ArchiveTokenizer;
  var root = document.body.getAttribute("data-root") || "";
  var traditional = document.body.getAttribute("data-script") === "zh-Hant";
  var namesFolder = traditional ? "search/names-hant/" : "search/names/";
  var pagePrefix = traditional ? "zh-hant/" : "";
  var MAX_FACETED = 1000; // facet counts cover the first results, like the list
  var FACET_SHOWN = 50; // values listed per facet, the most frequent first
  var PAGE = 20;
  var FACETS = ["region", "initiative", "year"];
  var NAMED = ["region", "initiative"]; // facets whose values are numbered names
  var YEAR = DIRECTORY.fields.length; // a table row: field lengths, year, regions, initiatives

  // Every string shown comes from the page, which is built in each script.
  var TEXT = JSON.parse(document.getElementById("search-text").textContent);
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  var form = document.getElementById("search-form");
  var box = document.getElementById("search-box");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var moreSummary = more.querySelector("summary");
  var partialList = document.getElementById("search-partial");
  var facetBox = document.getElementById("search-facets");
  var state = readState();
  var selected = -1;
  var generation = 0;

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var s = { q: params.get("q") || "" };
    FACETS.forEach(function (f) { s[f] = params.get(f) || ""; });
    return s;
  }

  function writeState() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FACETS.forEach(function (f) { if (state[f]) params.set(f, state[f]); });
    var query = params.toString();
    try {
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    } catch (e) { /* some file:// setups refuse; the page still works */ }
  }

  var scripts = {};
  function loadScript(path) {
    if (!scripts[path]) {
      scripts[path] = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = root + path;
        script.onload = function () { resolve(true); };
        script.onerror = function () { resolve(false); };
        document.head.appendChild(script);
      });
    }
    return scripts[path];
  }

  var indexes = {};
  function indexFor(shards, terms) {
    var key = shards.join(",") + "|" + JSON.stringify(terms);
    if (!indexes[key]) {
      indexes[key] = lunr.Index.load(S.merge(DIRECTORY, window.ARCHIVE_SHARDS, shards, TABLE, terms));
    }
    return indexes[key];
  }

  function run(index, terms, presence) {
    return index.query(function (q) {
      terms.forEach(function (t) {
        q.term(t[0], {
          presence: presence,
          wildcard: t[1] ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
          usePipeline: false
        });
      });
    });
  }

  /* All terms present first (a phrase as a whole), then partial matches. */
  function search(q) {
    var terms = T.queryTerms(q, FOLD);
    if (!terms.length) return Promise.resolve([]);
    var shards = S.shardsFor(DIRECTORY, terms);
    return Promise.all(shards.map(function (n) {
      return loadScript(S.shardPath(DIRECTORY.shards[n][0]));
    })).then(function () {
      return loadTable(S.tableChunksFor(DIRECTORY, window.ARCHIVE_SHARDS, shards, terms));
    }).then(function () {
      var index = indexFor(shards, terms);
      var strict = run(index, terms, lunr.Query.presence.REQUIRED);
      var seen = {};
      strict.forEach(function (r) { seen[r.ref] = true; });
      var loose = terms.length > 1 ? run(index, terms, lunr.Query.presence.OPTIONAL).filter(function (r) { return !seen[r.ref]; }) : [];
      return strict.map(function (r) { return { ref: r.ref, score: r.score, whole: true }; })
        .concat(loose.map(function (r) { return { ref: r.ref, score: r.score, whole: false }; }));
    });
  }

  function allDocs() {
    var results = [];
    for (var ref = 0; ref < DIRECTORY.documents; ref++) results.push({ ref: String(ref), score: 0, whole: true });
    return Promise.resolve(results);
  }

  function loadTable(chunks) {
    return Promise.all(chunks.map(function (c) { return loadScript("search/table/" + c + ".js"); }));
  }

  function rowOf(ref) {
    var chunk = TABLE[Math.floor(ref / DIRECTORY.tableChunk)];
    return chunk ? chunk[ref % DIRECTORY.tableChunk] : null;
  }

  /* The table rows of the first results, loaded by chunk; without a query,
     newest first (refs follow the slugs, which start with the date). */
  function withTable(results) {
    var chunks = {};
    results.slice(0, MAX_FACETED).forEach(function (r) { chunks[Math.floor(Number(r.ref) / DIRECTORY.tableChunk)] = true; });
    return Promise.all([loadTable(Object.keys(chunks)), resolveFilters()]).then(function () {
      var known = results.slice(0, MAX_FACETED).filter(function (r) { return rowOf(Number(r.ref)); });
      if (!state.q) {
        known.sort(function (a, b) { return rowOf(b.ref)[YEAR] - rowOf(a.ref)[YEAR] || b.ref - a.ref; });
      }
      return known;
    });
  }

  function namePiece(f, number) { return f + "-" + Math.floor(number / DIRECTORY.namePiece); }
  function loadNames(pieces) {
    return Promise.all(pieces.map(function (piece) { return loadScript(namesFolder + piece + ".js"); }));
  }
  function nameOf(f, number) {
    if (f === "year") return String(number);
    var piece = NAMES[namePiece(f, number)];
    return piece ? piece[number % DIRECTORY.namePiece] : null;
  }

  /* The numbers a filter's name stands for, from the pieces whose folded
     range holds it: a link may name a place in either script.  The filter
     then holds the facet's own name (陸川縣 is 陆川县), so its option is the
     one selected; a name no article has is dropped, not listed as (0). */
  var filters = {};
  function resolveFilters() {
    filters = { year: {} };
    if (state.year && !/^[0-9]{1,4}$/.test(state.year)) state.year = "";
    if (state.year) filters.year[Number(state.year)] = true;
    return Promise.all(NAMED.map(function (f) {
      filters[f] = {};
      if (!state[f]) return Promise.resolve();
      var asked = state[f];
      var folded = T.fold(asked, FOLD);
      var pieces = [];
      (DIRECTORY.names[f] || []).forEach(function (range, p) {
        if (range[0] <= folded && folded <= range[1]) pieces.push(f + "-" + p);
      });
      return loadNames(pieces).then(function () {
        var own = "";
        pieces.forEach(function (piece) {
          var p = Number(piece.slice(f.length + 1));
          (NAMES[piece] || []).forEach(function (name, i) {
            if (T.fold(name, FOLD) !== folded) return;
            filters[f][p * DIRECTORY.namePiece + i] = true;
            own = own || name;
          });
        });
        if (state[f] === asked) state[f] = own; // unless a choice was made meanwhile
      });
    })).then(writeState);
  }

  /* A row lists its deepest places; the places above them count too. */
  var PARENTS = DIRECTORY.parents.region;
  function withAncestors(places) {
    var all = [];
    places.forEach(function (n) {
      for (; n >= 0 && all.indexOf(n) < 0; n = PARENTS[n]) all.push(n);
    });
    return all;
  }

  function facetValues(row) {
    return { region: withAncestors(row[YEAR + 1]), initiative: row[YEAR + 2], year: row[YEAR] ? [row[YEAR]] : [] };
  }

  function matchesFacets(row, except) {
    var values = facetValues(row);
    return FACETS.every(function (f) {
      return f === except || !state[f] || values[f].some(function (v) { return filters[f][v]; });
    });
  }

  function count(results) {
    var counts = { region: {}, initiative: {}, year: {} };
    FACETS.forEach(function (f) {
      results.forEach(function (r) {
        var row = rowOf(Number(r.ref));
        if (!matchesFacets(row, f)) return;
        facetValues(row)[f].forEach(function (v) { counts[f][v] = (counts[f][v] || 0) + 1; });
      });
    });
    return counts;
  }

  /* Per facet, the values to list: the most frequent, and any selected. */
  function shownValues(counts) {
    var shown = {};
    FACETS.forEach(function (f) {
      var numbers = Object.keys(counts[f]).map(Number);
      numbers.sort(function (a, b) { return counts[f][b] - counts[f][a] || a - b; });
      var top = numbers.slice(0, FACET_SHOWN);
      numbers.slice(FACET_SHOWN).forEach(function (n) { if (filters[f][n]) top.push(n); });
      shown[f] = top;
    });
    return shown;
  }

  function withNames(shown) {
    var pieces = {};
    NAMED.forEach(function (f) { shown[f].forEach(function (n) { pieces[namePiece(f, n)] = true; }); });
    return loadNames(Object.keys(pieces));
  }

  function renderFacets(counts, shown) {
    // The selects are made anew: the one that had focus gets it back.
    var focused = document.activeElement && facetBox.contains(document.activeElement) ? document.activeElement.name : null;
    facetBox.textContent = "";
    FACETS.forEach(function (f) {
      var named = {};
      shown[f].forEach(function (n) {
        var name = nameOf(f, n);
        if (name !== null) named[name] = (named[name] || 0) + counts[f][n];
      });
      var names = Object.keys(named);
      if (!names.length && !state[f]) return;
      names.sort(function (a, b) { return named[b] - named[a] || a.localeCompare(b); });
      var group = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = TEXT.labels[f];
      group.appendChild(legend);
      var select = document.createElement("select");
      select.name = f;
      select.setAttribute("aria-label", TEXT.labels[f]);
      var any = new Option(TEXT.any, "");
      select.appendChild(any);
      if (state[f] && names.indexOf(state[f]) < 0) names.unshift(state[f]);
      names.forEach(function (name) {
        var option = new Option(name + " (" + (named[name] || 0) + ")", name);
        option.selected = name === state[f];
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        state[f] = select.value;
        update();
      });
      group.appendChild(select);
      facetBox.appendChild(group);
      if (f === focused) select.focus();
    });
  }

  /* A result's own file: title, link, date, place, initiatives and text,
     in both scripts (upper-case keys are the Traditional). */
  var loaded = {};
  function loadDoc(ref) {
    if (!loaded[ref]) {
      var folder = Math.floor(Number(ref) / DIRECTORY.docsFolder);
      loaded[ref] = loadScript("search/docs/" + folder + "/" + ref + ".js").then(function () {
        var doc = (window.ARCHIVE_DOCS || {})[ref];
        if (!doc) return null;
        var pick = function (key) { return traditional ? doc[key.toUpperCase()] : doc[key]; };
        return { u: pagePrefix + doc.u, d: doc.d, t: pick("t"), p: pick("p"), i: pick("i"), x: pick("x") };
      });
    }
    return loaded[ref];
  }

  function foldText(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i).toLowerCase();
      out += ch.length === 1 && Object.prototype.hasOwnProperty.call(FOLD, ch) ? FOLD[ch] : (ch.length === 1 ? ch : text.charAt(i));
    }
    return out;
  }

  function needles(q) {
    var folded = T.fold(q, FOLD);
    var parts = folded.match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g) || [];
    return parts.sort(function (a, b) { return b.length - a.length; });
  }

  /* A window of the text around the first match, with every match marked. */
  function snippet(text, q) {
    var body = text.slice(text.indexOf("\n") + 1);
    var folded = foldText(body);
    var marks = needles(q);
    var first = -1;
    marks.forEach(function (m) {
      var at = folded.indexOf(m);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    });
    if (first < 0) {
      // No whole match: mark the two-character pieces that did match.
      var pieces = [];
      marks.forEach(function (m) {
        for (var i = 0; i + 2 <= m.length; i++) pieces.push(m.slice(i, i + 2));
      });
      marks = pieces;
      marks.forEach(function (m) {
        var at = folded.indexOf(m);
        if (at >= 0 && (first < 0 || at < first)) first = at;
      });
    }
    var start = Math.max(0, first - 30);
    var end = Math.min(body.length, start + 110);
    var fragment = document.createDocumentFragment();
    if (start > 0) fragment.appendChild(document.createTextNode("…"));
    var piece = body.slice(start, end);
    var pieceFolded = folded.slice(start, end);
    var cursor = 0;
    while (cursor < piece.length) {
      var hit = -1, length = 0;
      marks.forEach(function (m) {
        var at = pieceFolded.indexOf(m, cursor);
        if (at >= 0 && (hit < 0 || at < hit || (at === hit && m.length > length))) { hit = at; length = m.length; }
      });
      if (hit < 0) {
        fragment.appendChild(document.createTextNode(piece.slice(cursor)));
        break;
      }
      fragment.appendChild(document.createTextNode(piece.slice(cursor, hit)));
      var mark = document.createElement("mark");
      mark.textContent = piece.slice(hit, hit + length);
      fragment.appendChild(mark);
      cursor = hit + length;
    }
    if (end < body.length) fragment.appendChild(document.createTextNode("…"));
    return fragment;
  }

  function resultItem(doc) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = root + doc.u;
    link.textContent = doc.t;
    link.className = "result-link";
    var heading = document.createElement("h2");
    heading.appendChild(link);
    li.appendChild(heading);
    var info = document.createElement("p");
    info.className = "meta";
    var bits = [doc.d || TEXT.undated];
    if (doc.p) bits.push(doc.p);
    if (doc.i) bits.push(doc.i);
    info.textContent = bits.join("　");
    li.appendChild(info);
    if (state.q) {
      var p = document.createElement("p");
      p.className = "snippet";
      p.appendChild(snippet(doc.x, state.q));
      li.appendChild(p);
    }
    return li;
  }

  /* Results that hold every term are the count; the rest are shown apart,
     labelled as partial matches. */
  function update() {
    writeState();
    var mine = ++generation;
    var hasFilter = FACETS.some(function (f) { return state[f]; });
    list.textContent = "";
    partialList.textContent = "";
    more.hidden = true;
    selected = -1;
    if (!state.q && !hasFilter) {
      status.textContent = TEXT.hint;
      facetBox.textContent = "";
      return;
    }
    status.textContent = TEXT.searching;
    var counts, shown;
    (state.q ? search(state.q) : allDocs()).then(withTable).then(function (results) {
      var whole = results.filter(function (r) { return r.whole; });
      counts = count(whole.length ? whole : results);
      shown = shownValues(counts);
      return withNames(shown).then(function () { return results; });
    }).then(function (results) {
      if (mine !== generation) return;
      var whole = results.filter(function (r) { return r.whole; });
      var partial = results.filter(function (r) { return !r.whole; });
      renderFacets(counts, shown);
      var shownWhole = whole.filter(function (r) { return matchesFacets(rowOf(Number(r.ref))); });
      var shownPartial = partial.filter(function (r) { return matchesFacets(rowOf(Number(r.ref))); });
      if (!shownWhole.length && !shownPartial.length) {
        status.textContent = state.q ? say(TEXT.none, { q: state.q }) : TEXT.noneFiltered;
        document.body.setAttribute("data-search-done", String(mine));
        return;
      }
      if (shownWhole.length) {
        status.textContent = say(TEXT.found, { n: shownWhole.length }) +
          (shownWhole.length > PAGE ? say(TEXT.firstPage, { page: PAGE }) : "") +
          (shownPartial.length ? say(TEXT.alsoPartial, { m: shownPartial.length }) : "");
      } else {
        status.textContent = say(TEXT.onlyPartial, { m: shownPartial.length });
      }
      var wholePage = shownWhole.slice(0, PAGE);
      var partialPage = shownPartial.slice(0, PAGE);
      var page = wholePage.concat(partialPage);
      Promise.all(page.map(function (r) { return loadDoc(r.ref); })).then(function (docs) {
        if (mine !== generation) return;
        var phrase = needles(state.q)[0] || "";
        var ranked = [];
        page.forEach(function (r, n) {
          if (!docs[n]) return; // its file failed to load
          var exact = phrase.length > 1 && foldText(docs[n].x).indexOf(phrase) >= 0;
          ranked.push({ result: r, doc: docs[n], rank: exact ? 0 : 1, order: n });
        });
        ranked.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
        ranked.forEach(function (item) {
          (item.result.whole ? list : partialList).appendChild(resultItem(item.doc));
        });
        if (partialPage.length) {
          moreSummary.textContent = say(TEXT.partialSummary, { m: shownPartial.length });
          more.hidden = false;
          more.open = !wholePage.length;
        }
        document.body.setAttribute("data-search-done", String(mine));
      });
    });
  }

  var timer = null;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = box.value.trim(); update(); }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    state.q = box.value.trim();
    update();
  });

  function links() {
    var open = more.open && !more.hidden;
    return document.querySelectorAll(open ? ".results .result-link" : "#search-results .result-link");
  }
  function select(n) {
    var all = links();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, n));
    all[selected].focus();
  }
  document.addEventListener("keydown", function (event) {
    // Arrow keys belong to a focused control (a facet's options, a summary).
    var target = event.target;
    if (target !== box && target.closest && target.closest("select, textarea, input, [contenteditable]")) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (selected <= 0) { selected = -1; box.focus(); } else select(selected - 1);
    } else if (event.key === "Enter" && document.activeElement === box && links().length && selected < 0) {
      // Enter in the box searches; a second Enter opens the first result.
      if (state.q === box.value.trim()) { event.preventDefault(); links()[0].click(); }
    }
  });

  // For benchmarks and tests: the ranked results of a query, metadata loaded.
  window.archiveSearch = function (q) { return search(q).then(withTable); };

  box.value = state.q;
  update();
})();
