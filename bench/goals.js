// The goals of issue 17, each printed as a ratio with PASS or MISS. bench/run.js starts the other
// scripts as children; they append their goals (one JSON object a line) to the file named by
// LDAPS_AUDIT_BENCH_GOALS, so that `npm run bench` ends with one table of every goal measured in that run.
"use strict";
const { appendFileSync, existsSync, readFileSync } = require("node:fs");
const { loadavg } = require("node:os");

const FILE_ENV = "LDAPS_AUDIT_BENCH_GOALS";

/**
 * One goal. `ratio` is what was measured, expressed the way the goal is written ("x node -e 0", "x faster
 * than storeutl"), `op` and `target` the bound: e.g. { ratio: 1.7, op: "<=", target: 1.5 } is a MISS.
 */
function goal(what, ratio, op, target, detail = "") {
  const pass = op === "<=" ? ratio <= target : ratio >= target;
  const g = { what, ratio: Number(ratio.toFixed(2)), op, target, pass, detail, load: loadavg()[0].toFixed(2) };
  if (process.env[FILE_ENV]) appendFileSync(process.env[FILE_ENV], JSON.stringify(g) + "\n");
  return g;
}

function read(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

function print(goals, title = "Goals (issue 17)") {
  const rows = goals.map((g) => [g.pass ? "PASS" : "MISS", g.what, `${g.ratio}x`, `${g.op} ${g.target}x`, g.load, g.detail]);
  const header = ["verdict", "goal", "measured", "wanted", "load 1m", "detail"];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (c) => c.map((x, i) => String(x).padEnd(w[i])).join("  ").trimEnd();
  console.log(`\n${title}\n${line(header)}\n${w.map((n) => "-".repeat(n)).join("  ")}\n${rows.map(line).join("\n")}`);
}

/** The environment for every timed child: NODE_EXTRA_CA_CERTS makes node read a CA bundle at start-up. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

module.exports = { goal, read, print, cleanEnv, FILE_ENV };
