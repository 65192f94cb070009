// npm run conformance: the whole x509-limbo suite (../shared/reference/x509-limbo-full, gunzipped here,
// never copied) through the harness. Writes test-output/limbo-full.json (a LimboResult), prints each
// family's figures and the totals beside pyca/cryptography's, OpenSSL's and Go's. Exit 1 when a case
// disagrees without a documented override, when an override is no longer needed, or when the result
// does not match limbo's schema.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { terminalText } from "../../lib/terminal";
import { loadAnchors, loadLimboFull, PROJECT_ROOT } from "./limbo";
import { comparisonTable, familyLines, limboResult, loadOverrides, score } from "./score";

function main(): number {
  const cases = loadLimboFull();
  const s = score(cases, loadOverrides());
  const { document, errors } = limboResult(s.outcomes);
  const outDir = join(PROJECT_ROOT, "test-output");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "limbo-full.json");
  writeFileSync(file, JSON.stringify(document, null, 2));
  const out = [
    ...familyLines(s),
    "",
    ...comparisonTable(s, cases, loadAnchors()),
    "",
    ...s.failures.map((f) => `disagree ${f}`),
    ...s.staleOverrides.map((id) => `override no longer needed: ${id}`),
    ...errors.map((e) => `LimboResult schema: ${e}`),
    `wrote ${file}`,
  ];
  // A disagreement's context quotes certificate and CRL contents: untrusted, so escaped for the terminal.
  process.stdout.write(terminalText(out));
  return s.failures.length || s.staleOverrides.length || errors.length ? 1 : 0;
}

process.exitCode = main();
