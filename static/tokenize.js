/* The search tokeniser, browser side: the same spec as archivist/tokenize.py,
   checked against the same vectors (tests/tokenizer_vectors.json). */
(function (root) {
  "use strict";
  var RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;
  var HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

  function fold(text, map) {
    var normal = text.normalize("NFKC").toLowerCase();
    var out = "";
    for (var i = 0; i < normal.length; i++) {
      var ch = normal.charAt(i);
      out += Object.prototype.hasOwnProperty.call(map, ch) ? map[ch] : ch;
    }
    return out;
  }

  function tokenize(text, map) {
    var tokens = [];
    var runs = fold(text, map).match(RUN) || [];
    runs.forEach(function (run) {
      if (!HAN.test(run) || run.length === 1) {
        tokens.push(run);
        return;
      }
      for (var i = 0; i < run.length - 1; i++) tokens.push(run.slice(i, i + 2));
      tokens.push(run.charAt(run.length - 1));
    });
    return tokens;
  }

  // Query terms as [term, trailing wildcard]: see query_terms in tokenize.py.
  function queryTerms(text, map) {
    var runs = fold(text, map).match(RUN) || [];
    var terms = [];
    var seen = {};
    function add(term, wildcard) {
      var key = term + (wildcard ? "*" : "");
      if (!seen[key]) {
        seen[key] = true;
        terms.push([term, wildcard]);
      }
    }
    runs.forEach(function (run, position) {
      if (!HAN.test(run)) add(run, position === runs.length - 1);
      else if (run.length === 1) add(run, true);
      else for (var i = 0; i < run.length - 1; i++) add(run.slice(i, i + 2), false);
    });
    return terms;
  }

  var api = { fold: fold, tokenize: tokenize, queryTerms: queryTerms };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ArchiveTokenizer = api;
})(this);
