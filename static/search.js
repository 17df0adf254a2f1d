/* Search page: lunr's ranking over the prebuilt lists, facets, snippets, URL state.
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
  var MAX_FACETED = 1000; // with a filter, the results checked against it
  var FACET_SHOWN = 50; // values listed per facet, the most frequent first
  var PAGE = 20;
  var FACETS = ["region", "initiative", "year"];
  var NAMED = ["region", "initiative"]; // facets whose values are numbered names
  var YEAR = 0; // a table row: year, regions, initiatives
  var FACET_FIRST = 100; // without a one-term count, facets count the first results

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

  var lists = {}; // every list read, by key, with the tiers read so far

  function tierData(list, tier) {
    return (window.ARCHIVE_TIERS || {})[S.shardName(list.key) + "." + tier];
  }

  /* Read the next tier of the list the ranking asks for until the first
     ``wanted`` results are settled (Infinity: every tier). */
  function settle(query, wanted) {
    var result = S.evaluate(query, DIRECTORY.documents, wanted);
    if (!result.next) return Promise.resolve(result);
    var list = result.next, tier = list.tiers.length;
    return loadScript(S.tierPath(list.key, tier)).then(function () {
      var data = tierData(list, tier);
      if (list.tiers.length === tier) {
        if (data) S.addTier(list, data);
        else list.tops = list.tops.slice(0, tier - 1); // its file failed to load: rank without it
      }
      return settle(query, wanted);
    });
  }

  /* Documents with every term first, best first; then documents with some
     (a phrase is its two-character pieces, all required). */
  function search(q, wanted) {
    var terms = T.queryTerms(q, FOLD);
    if (!terms.length) return Promise.resolve({ whole: [], partial: [], count: 0, exact: true, single: null });
    var shards = S.shardsFor(DIRECTORY, terms);
    return Promise.all(shards.map(function (n) {
      return loadScript(S.shardPath(DIRECTORY.shards[n][0]));
    })).then(function () {
      var query = S.plan(DIRECTORY, window.ARCHIVE_SHARDS, shards, terms, lists);
      return settle(query, wanted).then(function (result) {
        var single = query.clauses.length === 1 && query.clauses[0].lists.length === 1 ? query.clauses[0].lists[0] : null;
        return {
          whole: result.whole.map(function (r) { return { ref: r.ref, score: r.score, whole: true }; }),
          partial: terms.length > 1 ? result.partial.map(function (r) { return { ref: r.ref, score: r.score, whole: false }; }) : [],
          count: single ? single.count : result.whole.length,
          exact: Boolean(single) || result.complete,
          single: single
        };
      });
    });
  }

  /* Every document, newest first (refs follow the slugs, which start with the date). */
  function allDocs() {
    var whole = [];
    for (var ref = DIRECTORY.documents - 1; ref >= 0; ref--) whole.push({ ref: ref, score: 0, whole: true });
    return Promise.resolve({ whole: whole, partial: [], count: whole.length, exact: true, single: null });
  }

  function loadTable(chunks) {
    return Promise.all(chunks.map(function (c) { return loadScript("search/table/" + c + ".js"); }));
  }

  function rowOf(ref) {
    var chunk = TABLE[Math.floor(ref / DIRECTORY.tableChunk)];
    return chunk ? chunk[ref % DIRECTORY.tableChunk] : null;
  }

  /* The table rows of results, loaded by chunk; those whose chunk failed are left out. */
  function withRows(results) {
    var chunks = {};
    results.forEach(function (r) { chunks[Math.floor(r.ref / DIRECTORY.tableChunk)] = true; });
    return loadTable(Object.keys(chunks)).then(function () {
      return results.filter(function (r) { return rowOf(r.ref); });
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

  /* The numbers a filter's name stands for, from its facet's pieces of
     names (numbered most common first, so any piece may hold it): a link
     may name a place in either script.  The filter
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
      for (var p = 0; p < (DIRECTORY.names[f] || 0); p++) pieces.push(f + "-" + p);
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

  /* A result's own file, in the page's script: title, link, date, place,
     initiatives and the text its snippet is cut from. */
  var loaded = {};
  var docsFolder = traditional ? "search/docs-hant/" : "search/docs/";
  function loadDoc(ref) {
    if (!loaded[ref]) {
      var folder = Math.floor(Number(ref) / DIRECTORY.docsFolder);
      loaded[ref] = loadScript(docsFolder + folder + "/" + ref + ".js").then(function () {
        var doc = ((traditional ? window.ARCHIVE_DOCS_HANT : window.ARCHIVE_DOCS) || {})[ref];
        return doc ? { u: pagePrefix + doc.u, d: doc.d, t: doc.t, p: doc.p, i: doc.i, x: doc.x, r: doc.r } : null;
      });
    }
    return loaded[ref];
  }

  /* A list's counts file as counts by facet and value number. */
  function listCounts(list) {
    return loadScript(S.countsPath(list.key)).then(function () {
      var flat = (window.ARCHIVE_COUNTS || {})[S.shardName(list.key)];
      if (!flat) return null;
      var counts = {};
      FACETS.forEach(function (f) {
        counts[f] = {};
        for (var i = 0; i + 1 < flat[f].length; i += 2) counts[f][flat[f][i]] = flat[f][i + 1];
      });
      return counts;
    });
  }

  /* Facet counts: a one-term query's from its list's counts file; any other
     from the rows of its first results (labelled so when there are more).
     With a filter, the results are checked against their rows. */
  function facetsFor(found, hasFilter) {
    return resolveFilters().then(function () { return facetsAfterFilters(found, hasFilter); });
  }

  function facetsAfterFilters(found, hasFilter) {
    var whole = found.whole, base = whole.length ? whole : found.partial;
    if (!hasFilter && found.single && found.single.counted) {
      return listCounts(found.single).then(function (counts) {
        if (counts) return { counts: counts, over: 0, whole: whole, partial: found.partial };
        return countFirst(found, base);
      });
    }
    if (!hasFilter) return countFirst(found, base);
    return Promise.all([withRows(whole.slice(0, MAX_FACETED)), withRows(found.partial.slice(0, MAX_FACETED))]).then(function (rows) {
      var counted = rows[0].length ? rows[0] : rows[1];
      return {
        counts: count(counted), over: found.exact && base.length <= MAX_FACETED ? 0 : counted.length,
        whole: rows[0].filter(function (r) { return matchesFacets(rowOf(r.ref)); }),
        partial: rows[1].filter(function (r) { return matchesFacets(rowOf(r.ref)); })
      };
    });
  }

  function countFirst(found, base) {
    return withRows(base.slice(0, FACET_FIRST)).then(function (rows) {
      var complete = found.exact && base.length <= FACET_FIRST;
      return { counts: count(rows), over: complete ? 0 : rows.length, whole: found.whole, partial: found.partial };
    });
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
    if (doc.r) bits.push(say(TEXT.reprints, { n: doc.r })); // a reprinted report: one result for its copies
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
    var faceted, shown;
    (state.q ? search(state.q, hasFilter ? Infinity : PAGE) : allDocs()).then(function (found) {
      return facetsFor(found, hasFilter).then(function (result) {
        faceted = result;
        faceted.count = hasFilter ? result.whole.length : found.count;
        faceted.exact = hasFilter || found.exact;
        shown = shownValues(result.counts);
        return withNames(shown);
      });
    }).then(function () {
      if (mine !== generation) return;
      renderFacets(faceted.counts, shown);
      if (faceted.over) {
        var note = document.createElement("p");
        note.className = "meta";
        note.textContent = say(TEXT.countedFirst, { n: faceted.over });
        facetBox.appendChild(note);
      }
      var shownWhole = faceted.whole, shownPartial = faceted.partial;
      if (!shownWhole.length && !shownPartial.length) {
        status.textContent = state.q ? say(TEXT.none, { q: state.q }) : TEXT.noneFiltered;
        document.body.setAttribute("data-search-done", String(mine));
        return;
      }
      if (shownWhole.length) {
        status.textContent = say(faceted.exact ? TEXT.found : TEXT.foundAtLeast, { n: faceted.count }) +
          (faceted.count > PAGE ? say(TEXT.firstPage, { page: PAGE }) : "") +
          (shownPartial.length ? say(TEXT.alsoPartial, { m: shownPartial.length }) : "");
      } else {
        status.textContent = say(TEXT.onlyPartial, { m: shownPartial.length });
      }
      var wholePage = shownWhole.slice(0, PAGE);
      var partialPage = shownPartial.slice(0, PAGE);
      if (partialPage.length) {
        moreSummary.textContent = say(TEXT.partialSummary, { m: shownPartial.length });
        more.hidden = false;
        more.open = !wholePage.length;
      }
      // Partial matches' texts are loaded when they are shown.
      showResults(wholePage, list, mine).then(function () {
        if (mine !== generation) return;
        if (partialPage.length && more.open) return showResults(partialPage, partialList, mine);
        pendingPartial = partialPage.length ? { page: partialPage, generation: mine } : null;
      }).then(function () {
        if (mine === generation) document.body.setAttribute("data-search-done", String(mine));
      });
    });
  }

  var pendingPartial = null;
  more.addEventListener("toggle", function () {
    if (!more.open || !pendingPartial || pendingPartial.generation !== generation) return;
    var waiting = pendingPartial;
    pendingPartial = null;
    showResults(waiting.page, partialList, waiting.generation);
  });

  /* The results of a page, their files loaded; those containing the query's
     longest piece as typed first. */
  function showResults(page, into, mine) {
    return Promise.all(page.map(function (r) { return loadDoc(r.ref); })).then(function (docs) {
      if (mine !== generation) return;
      var phrase = needles(state.q)[0] || "";
      var ranked = [];
      page.forEach(function (r, n) {
        if (!docs[n]) return; // its file failed to load
        var exact = phrase.length > 1 && foldText(docs[n].x).indexOf(phrase) >= 0;
        ranked.push({ doc: docs[n], rank: exact ? 0 : 1, order: n });
      });
      ranked.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
      ranked.forEach(function (item) { into.appendChild(resultItem(item.doc)); });
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
  window.archiveSearch = function (q) {
    return search(q, PAGE).then(function (found) { return facetsFor(found, false); }).then(function (result) {
      return result.whole.concat(result.partial);
    });
  };

  box.value = state.q;
  update();
})();
