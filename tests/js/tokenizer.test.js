// Runs the shared tokeniser vectors against the browser tokeniser.
// Usage: node --test tests/js/tokenizer.test.js  (FOLD_MAP=path to the fold map JSON)
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { tokenize, queryTerms } = require("../../static/tokenize.js");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tokenizer_vectors.json"), "utf8"));
const foldMap = JSON.parse(fs.readFileSync(process.env.FOLD_MAP, "utf8"));

for (const vector of vectors) {
  test(`tokenize ${JSON.stringify(vector.input)}`, () => {
    assert.deepStrictEqual(tokenize(vector.input, foldMap), vector.tokens);
  });
}

const queries = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "query_vectors.json"), "utf8"));
for (const vector of queries) {
  test(`queryTerms ${JSON.stringify(vector.input)}`, () => {
    assert.deepStrictEqual(queryTerms(vector.input, foldMap), vector.terms);
  });
}
