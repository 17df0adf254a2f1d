/* Term-sharded lunr index, browser side: which shards a query needs, and
   the loaded shards merged into one serialised index for lunr.Index.load.
   Shared by search.js and the node tests. */
(function (root) {
  "use strict";

  /* Shards whose term range holds a term, or for a prefix term, any term
     that starts with it.  terms: [[term, isPrefix], ...] */
  function shardsFor(directory, terms) {
    var wanted = {};
    directory.shards.forEach(function (range, n) {
      terms.forEach(function (t) {
        var low = t[0], high = t[1] ? t[0] + "\uffff" : t[0];
        if (range[0] <= high && range[1] >= low) wanted[n] = true;
      });
    });
    return Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
  }

  /* payloads: shard number -> [[term, _index, [[refDeltas, scoresX1000], ...per field]], ...] */
  function merge(directory, payloads, numbers) {
    var inverted = [];
    var vectors = {};
    var fields = directory.fields;
    numbers.forEach(function (n) {
      payloads[n].forEach(function (entry) {
        var posting = { _index: entry[1] };
        fields.forEach(function (field, f) {
          var refs = entry[2][f][0], scores = entry[2][f][1], ref = 0;
          posting[field] = {};
          for (var i = 0; i < refs.length; i++) {
            ref += refs[i];
            posting[field][ref] = {};
            var fieldRef = field + "/" + ref;
            (vectors[fieldRef] = vectors[fieldRef] || []).push([entry[1], scores[i] / 1000]);
          }
        });
        inverted.push([entry[0], posting]);
      });
    });
    var fieldVectors = Object.keys(vectors).map(function (fieldRef) {
      var flat = [];
      vectors[fieldRef].sort(function (a, b) { return a[0] - b[0]; }).forEach(function (pair) {
        flat.push(pair[0], pair[1]);
      });
      return [fieldRef, flat];
    });
    return { version: directory.version, fields: fields, fieldVectors: fieldVectors, invertedIndex: inverted, pipeline: [] };
  }

  var api = { shardsFor: shardsFor, merge: merge };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ArchiveShards = api;
})(this);
