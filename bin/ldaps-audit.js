#!/usr/bin/env node
"use strict";
// Runs the built CLI (npm install/ci builds dist/ through the "prepare" script).
let main, reportError;
try {
  ({ main, reportError } = require("../dist/lib/cli/main.js"));
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND") {
    process.stderr.write("ldaps-audit: not built yet; run `npm install` (or `npm run build`) in the package folder first\n");
    process.exit(3);
  }
  throw e;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // main() reports its own errors; this is the last resort, through the same escaping printer.
    process.exitCode = reportError(e);
  },
);
