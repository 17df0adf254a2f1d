// Answers queries twice: with one whole serialised index, and with shards
// merged as the search page merges them.  Prints both, for the test to compare.
// Usage: node query_shards.js WHOLE.json DIRECTORY.json SHARDS.json QUERIES.json FOLD.json
const fs = require("node:fs");
const path = require("node:path");
const lunr = require(path.join(__dirname, "..", "..", "node_modules", "lunr"));
const { queryTerms } = require("../../static/tokenize.js");
const { shardsFor, merge } = require("../../static/shards.js");

const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const [wholePath, directoryPath, shardsPath, queriesPath, foldPath] = process.argv.slice(2);
const whole = lunr.Index.load(read(wholePath));
const directory = read(directoryPath);
const payloads = read(shardsPath);
const fold = read(foldPath);

function run(index, terms, presence) {
  return index.query((q) => {
    for (const [term, wildcard] of terms) {
      q.term(term, { presence, usePipeline: false,
        wildcard: wildcard ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE });
    }
  }).map((r) => [r.ref, r.score]);
}

const out = {};
for (const query of read(queriesPath)) {
  const terms = queryTerms(query, fold);
  const numbers = shardsFor(directory, terms);
  const split = lunr.Index.load(merge(directory, payloads, numbers));
  out[query] = { shards: numbers.length, modes: {} };
  for (const [mode, presence] of [["strict", lunr.Query.presence.REQUIRED], ["loose", lunr.Query.presence.OPTIONAL]]) {
    out[query].modes[mode] = { whole: terms.length ? run(whole, terms, presence) : [], split: terms.length ? run(split, terms, presence) : [] };
  }
}
process.stdout.write(JSON.stringify(out));
