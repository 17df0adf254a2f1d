// Loads a lunr.py index with lunr.js and answers queries as search.js does.
// Usage: node query_index.js INDEX.json QUERIES.json FOLD.json  -> JSON on stdout
const fs = require("node:fs");
const path = require("node:path");
const lunr = require(path.join(__dirname, "..", "..", "node_modules", "lunr"));
const { queryTerms } = require("../../static/tokenize.js");

const [indexPath, queriesPath, foldPath] = process.argv.slice(2);
const index = lunr.Index.load(JSON.parse(fs.readFileSync(indexPath, "utf8")));
const fold = JSON.parse(fs.readFileSync(foldPath, "utf8"));

function run(terms, presence) {
  return index.query((q) => {
    for (const [term, wildcard] of terms) {
      q.term(term, {
        presence,
        wildcard: wildcard ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
        usePipeline: false,
      });
    }
  }).map((r) => [r.ref, r.score]);
}

const out = {};
for (const query of JSON.parse(fs.readFileSync(queriesPath, "utf8"))) {
  const terms = queryTerms(query, fold);
  out[query] = {
    strict: terms.length ? run(terms, lunr.Query.presence.REQUIRED) : [],
    loose: terms.length ? run(terms, lunr.Query.presence.OPTIONAL) : [],
  };
}
process.stdout.write(JSON.stringify(out));
