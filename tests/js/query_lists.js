// Answers queries with lunr.js's own index (built from the tokenised
// documents, with the site's averages) and with the site's lists ranked as
// the search page ranks them: every tier read, and tier by tier until the
// first results are settled; and with the lists merged into an index lunr.js
// loads.  Prints them all, for the test to compare.
// Usage: node query_lists.js DOCUMENTS.json FILES.json QUERIES.json FOLD.json WANTED
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const lunr = require(path.join(__dirname, "..", "..", "node_modules", "lunr"));
const { queryTerms } = require("../../static/tokenize.js");
const S = require("../../static/shards.js");

const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const [documentsPath, filesPath, queriesPath, foldPath, wantedText] = process.argv.slice(2);
const wanted = Number(wantedText);
const window = {};
for (const text of Object.values(read(filesPath))) vm.runInNewContext(text, { window });
const directory = window.ARCHIVE_SEARCH;
const fold = read(foldPath);

// No stemmer, stop words or trimmer: the tokens are final, as on the site.
const builder = new lunr.Builder();
builder.ref("ref");
directory.fields.forEach((field, f) => builder.field(field, { boost: directory.boosts[f] }));
read(documentsPath).forEach((doc) => builder.add(doc));
builder.calculateAverageFieldLengths = function () {
  this.averageFieldLength = Object.fromEntries(directory.fields.map((field, f) => [field, directory.averages[f]]));
};
const whole = builder.build();

function run(index, terms, presence) {
  return index.query((q) => {
    for (const [term, wildcard] of terms) {
      q.term(term, { presence, usePipeline: false,
        wildcard: wildcard ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE });
    }
  }).map((r) => [Number(r.ref), r.score]);
}

function readTier(list) {
  const name = S.shardName(list.key) + "." + list.tiers.length;
  S.addTier(list, window.ARCHIVE_TIERS[name]);
}

const pairs = (results) => results.map((r) => [r.ref, r.score]);
const out = {};
for (const query of read(queriesPath)) {
  const terms = queryTerms(query, fold);
  const numbers = S.shardsFor(directory, terms);
  const all = S.plan(directory, window.ARCHIVE_SHARDS, numbers, terms, {});
  let tiers = 0;
  all.lists.forEach((list) => { while (S.isOpen(list)) { readTier(list); tiers += 1; } });
  const complete = S.evaluate(all, directory.documents, Infinity);
  const stepwise = S.plan(directory, window.ARCHIVE_SHARDS, numbers, terms, {});
  let read_ = 0, result = S.evaluate(stepwise, directory.documents, wanted);
  while (result.next) {
    readTier(result.next);
    read_ += 1;
    result = S.evaluate(stepwise, directory.documents, wanted);
  }
  const answer = {
    tiers, tiersRead: read_, settled: result.settled,
    strict: { lunr: run(whole, terms, lunr.Query.presence.REQUIRED), complete: pairs(complete.whole),
              first: pairs(result.whole.slice(0, wanted)) },
    loose: { lunr: terms.length > 1 ? run(whole, terms, lunr.Query.presence.OPTIONAL) : [], partial: pairs(complete.partial) },
  };
  if (!terms.some((t) => t[1])) {
    const merged = lunr.Index.load(S.merge(directory, all));
    answer.strict.merged = run(merged, terms, lunr.Query.presence.REQUIRED);
  }
  out[query] = answer;
}
process.stdout.write(JSON.stringify(out));
