// The search page's own ranking of queries over a site's search files:
// documents with every term (best first), then documents with some.
// Usage: node rank.js FILES.json QUERIES.json FOLD.json  (prints refs per query)
const fs = require("node:fs");
const vm = require("node:vm");
const { queryTerms } = require("../static/tokenize.js");
const S = require("../static/shards.js");

const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const [filesPath, queriesPath, foldPath] = process.argv.slice(2);
const window = {};
for (const text of Object.values(read(filesPath))) vm.runInNewContext(text, { window });
const directory = window.ARCHIVE_SEARCH;
const fold = read(foldPath);
const lists = {};
const out = {};
for (const query of read(queriesPath)) {
  const terms = queryTerms(query, fold);
  if (!terms.length) { out[query] = []; continue; }
  const plan = S.plan(directory, window.ARCHIVE_SHARDS, S.shardsFor(directory, terms), terms, lists);
  // Tier by tier, as the page reads them, until its first page is settled.
  let result = S.evaluate(plan, directory.documents, 20);
  while (result.next) {
    const list = result.next;
    S.addTier(list, window.ARCHIVE_TIERS[S.shardName(list.key) + "." + list.tiers.length]);
    result = S.evaluate(plan, directory.documents, 20);
  }
  const partial = terms.length > 1 ? result.partial : [];
  out[query] = result.whole.concat(partial).map((r) => r.ref);
}
process.stdout.write(JSON.stringify(out));
