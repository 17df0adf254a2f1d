// Answers queries twice: with one whole index that lunr.js builds from the
// tokenised documents, and with shards merged and scored as the search page
// does.  Prints both, for the test to compare.
// Usage: node query_shards.js DOCUMENTS.json DIRECTORY.json SHARDS.json TABLE.json QUERIES.json FOLD.json
const fs = require("node:fs");
const path = require("node:path");
const lunr = require(path.join(__dirname, "..", "..", "node_modules", "lunr"));
const { queryTerms } = require("../../static/tokenize.js");
const { shardsFor, tableChunksFor, merge } = require("../../static/shards.js");

const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const [documentsPath, directoryPath, shardsPath, tablePath, queriesPath, foldPath] = process.argv.slice(2);
const directory = read(directoryPath);
const payloads = read(shardsPath);
const table = read(tablePath);
const fold = read(foldPath);

// No stemmer, stop words or trimmer: the tokens are final, as on the site.
const builder = new lunr.Builder();
builder.ref("ref");
directory.fields.forEach((field, f) => builder.field(field, { boost: directory.boosts[f] }));
read(documentsPath).forEach((doc) => builder.add(doc));
const whole = builder.build();

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
  // Only the table files the query's own terms need, as the search page loads.
  const needed = tableChunksFor(directory, payloads, numbers, terms);
  const loaded = Object.fromEntries(needed.map((c) => [c, table[c]]));
  const split = lunr.Index.load(merge(directory, payloads, numbers, loaded, terms));
  out[query] = { shards: numbers.length, modes: {} };
  for (const [mode, presence] of [["strict", lunr.Query.presence.REQUIRED], ["loose", lunr.Query.presence.OPTIONAL]]) {
    out[query].modes[mode] = { whole: terms.length ? run(whole, terms, presence) : [], split: terms.length ? run(split, terms, presence) : [] };
  }
}
process.stdout.write(JSON.stringify(out));
