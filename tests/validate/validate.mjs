// validate.mjs - validate JSON documents against a JSON Schema with ajv (tests only).
//
//   node tests/validate/validate.mjs SCHEMA.json DOC.json...
//
// Used by tests/e2e/t_writers.py for Baseline's OSCAL outputs against the
// OSCAL 1.2.1 JSON Schemas.  Ajv runs with strict: false (the OSCAL schemas
// use keywords ajv's strict mode rejects) and allErrors; unicodeRegExp stays
// on, since the OSCAL patterns use \p{L} and \p{N}; ajv-formats checks
// date-time, uri and uri-reference.  Exit 0: every document is valid;
// 1: some document is not (errors on stderr); 2: bad usage or unreadable file.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [schemaPath, ...docs] = process.argv.slice(2);
if (!schemaPath || docs.length === 0) {
  console.error("usage: node validate.mjs SCHEMA.json DOC.json...");
  process.exit(2);
}

let validate;
try {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
} catch (e) {
  console.error(`${schemaPath}: ${e.message}`);
  process.exit(2);
}

let bad = 0;
for (const path of docs) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`${path}: ${e.message}`);
    process.exit(2);
  }
  if (validate(doc)) {
    console.log(`${path}: valid`);
    continue;
  }
  bad++;
  for (const err of validate.errors.slice(0, 50))
    console.error(`${path}: ${err.instancePath || "/"} ${err.message} ${JSON.stringify(err.params)}`);
}
process.exit(bad ? 1 : 0);
