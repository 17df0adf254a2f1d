/* Term-sharded lunr index, browser side: which shards a query needs, which
   document-table files their postings need (field lengths), and the query's
   terms of the loaded shards merged into one serialised index for
   lunr.Index.load, with lunr.js's BM25 weights
   computed here (the shards hold term frequencies, not scores, so an edit
   rewrites only the shards of the terms it changed).
   Shared by search.js and the node tests. */
(function (root) {
  "use strict";
  var K1 = 1.2, B = 0.75;

  /* A shard's file is named after its first term (as shards.py names it). */
  function shardName(first) {
    return Array.from(first).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }

  /* The folder of a shard file (FNV-1a of the name, low byte; slug.bucket). */
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

  /* Does a shard's term serve the query?  (No terms: every term does.) */
  function wanted(term, terms) {
    return !terms || terms.some(function (t) { return term === t[0] || (t[1] && term.lastIndexOf(t[0], 0) === 0); });
  }

  /* Positions of the shards whose term range holds a term, or for a prefix
     term, any term that starts with it.  terms: [[term, isPrefix], ...] */
  function shardsFor(directory, terms) {
    var wanted = [];
    directory.shards.forEach(function (range, n) {
      var hit = terms.some(function (t) {
        var low = t[0], high = t[1] ? t[0] + "\uffff" : t[0];
        return range[0] <= high && range[1] >= low;
      });
      if (hit) wanted.push(n);
    });
    return wanted;
  }

  function refsOf(deltas, visit) {
    var ref = 0;
    for (var i = 0; i < deltas.length; i++) {
      ref += deltas[i];
      visit(ref, i);
    }
  }

  /* (A shard that failed to load adds nothing.)  The table files the postings
     of the query's terms in the given shards refer to. */
  function tableChunksFor(directory, payloads, numbers, terms) {
    var chunks = {};
    numbers.forEach(function (n) {
      (payloads[shardName(directory.shards[n][0])] || []).forEach(function (entry) {
        if (!wanted(entry[0], terms)) return;
        entry[1].forEach(function (pair) {
          refsOf(pair[0], function (ref) { chunks[Math.floor(ref / directory.tableChunk)] = true; });
        });
      });
    });
    return Object.keys(chunks).map(Number).sort(function (a, b) { return a - b; });
  }

  /* payloads: shard name -> [[term, [[refDeltas, termFrequencies], ...per field]], ...];
     table: chunk -> [per document: [field lengths..., year, regions, initiatives]].
     Only the query's terms are merged: lunr's score of a document is its
     vector's dot product with the query's, so other terms change nothing. */
  function merge(directory, payloads, numbers, table, terms) {
    var fields = directory.fields, count = directory.documents, chunk = directory.tableChunk;
    var average = directory.lengths.map(function (total) { return total / count; });
    var inverted = [];
    var vectors = {};
    var index = 0;
    numbers.forEach(function (n) {
      (payloads[shardName(directory.shards[n][0])] || []).forEach(function (entry) {
        if (!wanted(entry[0], terms)) return;
        var withTerm = 0;
        entry[1].forEach(function (pair) { withTerm += pair[0].length; });
        // lunr.idf and the builder's weight, operation for operation.
        var x = (count - withTerm + 0.5) / (withTerm + 0.5);
        var idf = Math.log(1 + Math.abs(x));
        var posting = { _index: index };
        fields.forEach(function (field, f) {
          var tfs = entry[1][f][1];
          posting[field] = {};
          refsOf(entry[1][f][0], function (ref, i) {
            posting[field][ref] = {};
            var fieldLength = table[Math.floor(ref / chunk)][ref % chunk][f];
            var tf = tfs[i];
            var score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (fieldLength / average[f])) + tf);
            score *= directory.boosts[f];
            score *= 1;
            var fieldRef = field + "/" + ref;
            (vectors[fieldRef] = vectors[fieldRef] || []).push(index, Math.round(score * 1000) / 1000);
          });
        });
        inverted.push([entry[0], posting]);
        index += 1;
      });
    });
    // Terms arrive in sorted order, so each vector's indexes are ascending.
    var fieldVectors = Object.keys(vectors).map(function (fieldRef) { return [fieldRef, vectors[fieldRef]]; });
    return { version: directory.version, fields: fields, fieldVectors: fieldVectors, invertedIndex: inverted, pipeline: [] };
  }

  var api = {
    shardName: shardName, bucket: bucket, shardPath: shardPath, shardsFor: shardsFor,
    tableChunksFor: tableChunksFor, merge: merge
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ArchiveShards = api;
})(this);
