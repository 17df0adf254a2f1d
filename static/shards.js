/* The search index, browser side: which shards and tiers a query reads, and
   lunr's ranking computed over typed arrays (no lunr.js objects per match).

   A list (a term's, or a one-character prefix's "党*") holds its documents
   best first, with lunr's weight summed over fields in thousandths; a
   shard holds each of its lists' best 128, the rest is in tiers of four
   times more each.  A document's lunr score is the sum of its lists'
   weights times the query vector's entries, over the query vector's
   length, so the top results are settled once no document not yet read in
   full could pass them (the threshold algorithm).  merge() turns the lists
   into an index lunr.js loads, which the tests compare with.
   Shared by search.js and the node tests. */
(function (root) {
  "use strict";
  var PREFIX = "*";

  /* A file is named after a key's code points in hex (as shards.py names it). */
  function shardName(first) {
    return Array.from(first).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }

  /* The folder of a file (FNV-1a of the name, low byte; slug.bucket). */
  function bucket(name) {
    var value = 0x811c9dc5;
    for (var i = 0; i < name.length; i++) {
      value = Math.imul(value ^ name.charCodeAt(i), 0x01000193) >>> 0;
    }
    return ("0" + (value & 0xff).toString(16)).slice(-2);
  }

  function shardPath(first) {
    var name = shardName(first);
    return "search/shards/" + bucket(name) + "/" + name + ".js";
  }
  function tierPath(key, tier) {
    var name = shardName(key);
    return "search/tiers/" + bucket(name) + "/" + name + "." + tier + ".js";
  }
  function countsPath(key) {
    var name = shardName(key);
    return "search/counts/" + bucket(name) + "/" + name + ".js";
  }

  function isOneCharacter(term) { return Array.from(term).length === 1; }

  /* The key range each query term reads: a one-character prefix its prefix
     list, a longer prefix every term that starts with it, a term its own. */
  function rangeOf(t) {
    if (t[1] && isOneCharacter(t[0])) return [t[0] + PREFIX, t[0] + PREFIX];
    return [t[0], t[1] ? t[0] + "\uffff" : t[0]];
  }

  /* Positions of the shards a query reads.  terms: [[term, isPrefix], ...] */
  function shardsFor(directory, terms) {
    var wanted = [];
    directory.shards.forEach(function (range, n) {
      var hit = terms.some(function (t) {
        var keys = rangeOf(t);
        return range[0] <= keys[1] && range[1] >= keys[0];
      });
      if (hit) wanted.push(n);
    });
    return wanted;
  }

  function decode(deltas) {
    var refs = new Int32Array(deltas.length), ref = 0;
    for (var i = 0; i < deltas.length; i++) { ref += deltas[i]; refs[i] = ref; }
    return refs;
  }

  /* A shard entry: [key, documents, refDeltas, weights, tier tops, has counts, (prefix) terms summed]. */
  function listOf(entry) {
    return {
      key: entry[0], count: entry[1], tops: entry[4], counted: entry[5] === 1,
      expanded: entry.length > 6 ? entry[6] : 1,
      tiers: [{ refs: decode(entry[2]), millis: Int32Array.from(entry[3]) }]
    };
  }

  /* Add a tier file's postings ([refDeltas, weights]) to its list. */
  function addTier(list, data) {
    list.tiers.push({ refs: decode(data[0]), millis: Int32Array.from(data[1]) });
  }

  function isOpen(list) { return list.tiers.length <= list.tops.length; }

  /* The query's clauses, each the lists it reads, from the loaded shards;
     and the query vector: each list's weight (how many clauses name its
     term) and the vector's length, as lunr's Index.query builds them. */
  function plan(directory, payloads, numbers, terms, made) {
    made = made || {};
    var entries = [];
    numbers.forEach(function (n) {
      (payloads[shardName(directory.shards[n][0])] || []).forEach(function (entry) { entries.push(entry); });
    });
    var lists = [], clauses = [];
    function list(entry) {
      if (!made[entry[0]]) made[entry[0]] = listOf(entry);
      var found = made[entry[0]];
      if (lists.indexOf(found) < 0) lists.push(found);
      return found;
    }
    terms.forEach(function (t) {
      var range = rangeOf(t), prefixList = range[0] !== range[1] || range[0].slice(-1) === PREFIX;
      var matched = entries.filter(function (entry) {
        var key = entry[0];
        if (range[0] === range[1]) return key === range[0];
        return key.lastIndexOf(t[0], 0) === 0 && key.slice(-1) !== PREFIX;
      });
      clauses.push({ prefix: prefixList, lists: matched.map(list) });
    });
    // lunr's query vector: 1 per clause for each term the clause expands to,
    // so a term named twice (党建, and inside 党*) weighs 2.  A prefix list
    // holds its terms' weights summed once; a term also named by another
    // clause adds its list again through that clause.
    var weight = {}, squares = 0;
    clauses.forEach(function (clause) {
      clause.lists.forEach(function (l) { weight[l.key] = (weight[l.key] || 0) + 1; });
    });
    var prefixes = lists.filter(function (l) { return l.key.slice(-1) === PREFIX; });
    lists.forEach(function (l) {
      if (l.key.slice(-1) === PREFIX) return;
      var covered = prefixes.some(function (p) { return l.key.lastIndexOf(p.key.slice(0, -1), 0) === 0; }) ? 1 : 0;
      squares += (weight[l.key] + covered) * (weight[l.key] + covered);
    });
    prefixes.forEach(function (p) {
      var initial = p.key.slice(0, -1);
      var named = lists.filter(function (l) { return l.key.slice(-1) !== PREFIX && l.key.lastIndexOf(initial, 0) === 0; });
      squares += p.expanded - named.length;
      weight[p.key] = 1;
    });
    return { clauses: clauses, lists: lists, weight: weight, magnitude: Math.sqrt(squares) };
  }

  var scratch = null;
  function buffers(count) {
    if (!scratch || scratch.score.length !== count) {
      scratch = { score: new Float64Array(count), seen: new Uint32Array(count), marked: new Uint8Array(count) };
    }
    return scratch;
  }

  /* The query's results from the postings read so far: documents with every
     clause ("whole"), best first, and documents with some ("partial");
     settled: the first ``wanted`` whole results are final; next: the list
     whose next tier to read, or null.  Scores are lunr's. */
  function evaluate(query, count, wanted) {
    var lists = query.lists, clauses = query.clauses;
    var many = lists.length > 30; // more lists than bits: read them all
    var bits = lists.map(function (_, i) { return many ? 0 : 1 << i; });
    var buffer = buffers(count), score = buffer.score, seen = buffer.seen, marked = buffer.marked;
    var touched = [];
    lists.forEach(function (list, i) {
      var weight = query.weight[list.key], bit = bits[i];
      list.tiers.forEach(function (tier) {
        var refs = tier.refs, millis = tier.millis;
        for (var j = 0; j < refs.length; j++) {
          var ref = refs[j];
          if (!marked[ref]) { marked[ref] = 1; touched.push(ref); }
          seen[ref] |= bit;
          score[ref] += weight * millis[j];
        }
      });
    });
    var clauseBits = clauses.map(function (clause) {
      return clause.lists.reduce(function (acc, l) { return acc | bits[lists.indexOf(l)]; }, 0);
    });
    var open = 0, openWeight = 0, next = null, nextWeight = -1;
    lists.forEach(function (list, i) {
      if (!isOpen(list)) return;
      var top = query.weight[list.key] * list.tops[list.tiers.length - 1];
      open |= bits[i];
      openWeight += top;
      if (top > nextWeight) { nextWeight = top; next = list; }
    });
    if (many && next) {
      clear(buffer, touched);
      return { whole: [], partial: [], settled: false, complete: false, next: next };
    }
    var whole = [], exact = [], partial = [], otherBest = -1;
    var unseenCanBeWhole = clauses.length > 0 && clauseBits.every(function (b) { return (b & open) !== 0; });
    if (unseenCanBeWhole) otherBest = openWeight;
    touched.forEach(function (ref) {
      var mask = seen[ref];
      var isWhole = many ? clauses.every(function (clause) {
        return clause.lists.some(function (l) { return hasRef(l, ref); });
      }) : clauseBits.every(function (b) { return (mask & b) !== 0; });
      var missing = open & ~mask;
      var result = { ref: ref, score: score[ref] };
      if (isWhole) {
        whole.push(result);
        if (!missing) { exact.push(result); return; }
      } else if (!clauseBits.every(function (b) { return (mask & b) !== 0 || (b & open & ~mask) !== 0; })) {
        partial.push(result); // certainly without some clause
        return;
      }
      var upper = score[ref];
      lists.forEach(function (list, i) {
        if (missing & bits[i]) upper += query.weight[list.key] * list.tops[list.tiers.length - 1];
      });
      if (upper > otherBest) otherBest = upper;
    });
    clear(buffer, touched);
    var best = function (a, b) { return b.score - a.score || a.ref - b.ref; };
    exact.sort(best);
    whole.sort(best);
    partial.sort(best);
    var complete = !open;
    var settled = complete || (exact.length >= wanted && exact[wanted - 1].score >= otherBest);
    var ranked = whole;
    if (settled && !complete) {
      // The first results are final; the rest are in order of what is known of them.
      var top = exact.slice(0, wanted), inTop = {};
      top.forEach(function (r) { inTop[r.ref] = true; });
      ranked = top.concat(whole.filter(function (r) { return !inTop[r.ref]; }));
    }
    var scale = 1000 * (query.magnitude || 1);
    var finish = function (r) { return { ref: r.ref, score: r.score / scale }; };
    return {
      whole: ranked.map(finish), partial: partial.map(finish),
      settled: settled, complete: complete, next: settled ? null : next
    };
  }

  function clear(buffer, touched) {
    for (var i = 0; i < touched.length; i++) {
      var ref = touched[i];
      buffer.score[ref] = 0; buffer.seen[ref] = 0; buffer.marked[ref] = 0;
    }
  }

  function hasRef(list, ref) {
    return list.tiers.some(function (tier) {
      var refs = tier.refs, low = 0, high = refs.length - 1;
      while (low <= high) {
        var mid = (low + high) >> 1;
        if (refs[mid] === ref) return true;
        if (refs[mid] < ref) low = mid + 1; else high = mid - 1;
      }
      return false;
    });
  }

  /* The query's term lists, every tier read, as an index lunr.js loads: each
     document's weights in one field (a document's score is the sum over its
     fields, so one field holding the sums scores the same). */
  function merge(directory, query) {
    var fields = directory.fields, body = fields[fields.length - 1];
    var inverted = [], vectors = {};
    var terms = query.lists.filter(function (l) { return l.key.slice(-1) !== PREFIX; });
    terms.sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : 0; });
    terms.forEach(function (list, index) {
      var posting = { _index: index };
      fields.forEach(function (field) { posting[field] = {}; });
      list.tiers.forEach(function (tier) {
        for (var j = 0; j < tier.refs.length; j++) {
          var ref = tier.refs[j];
          posting[body][ref] = {};
          (vectors[ref] = vectors[ref] || []).push(index, tier.millis[j] / 1000);
        }
      });
      inverted.push([list.key, posting]);
    });
    var fieldVectors = Object.keys(vectors).map(function (ref) { return [body + "/" + ref, vectors[ref]]; });
    return { version: directory.version, fields: fields, fieldVectors: fieldVectors, invertedIndex: inverted, pipeline: [] };
  }

  var api = {
    shardName: shardName, bucket: bucket, shardPath: shardPath, tierPath: tierPath, countsPath: countsPath,
    shardsFor: shardsFor, plan: plan, addTier: addTier, isOpen: isOpen, evaluate: evaluate, merge: merge
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ArchiveShards = api;
})(this);
