#!/usr/bin/env node
"use strict";
// Runs the built CLI (npm install/ci builds dist/ through the "prepare" script).

// `--version` alone is answered here, before yargs and the command modules load (issue 17: it should
// start about as fast as `node -e 0`). The text is what yargs' .version() prints: package.json's version.
if (process.argv.length === 3 && process.argv[2] === "--version") {
  process.stdout.on("error", () => {}); // a reader that went away (| head -0) ends output quietly
  process.stdout.write(`${require("../package.json").version}\n`);
  return;
}

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
