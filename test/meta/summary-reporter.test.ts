// The closing line ("jest: N passed, N failed, N skipped") must agree with jest's exit code. These tests run a
// real jest over small throw-away projects with the project's reporter and read what it prints.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const JEST = join(ROOT, "node_modules", "jest", "bin", "jest.js");
const REPORTER = join(ROOT, "test", "summary-reporter.js");

interface Run { code: number | null; closing: string | undefined; stderr: string }

/** Runs jest over a project made of `files` (name -> source) and returns the exit code and the closing line. */
function runJest(files: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-reporter-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const config = { rootDir: dir, testEnvironment: "node", testMatch: ["**/*.test.js"], reporters: ["default", REPORTER] };
    const r = spawnSync(process.execPath, [JEST, "--config", JSON.stringify(config), "--watchman=false", "--ci"], {
      cwd: dir, encoding: "utf8", timeout: 120000, env: { ...process.env, FORCE_COLOR: "0" },
    });
    const closing = r.stderr.split("\n").filter((l) => /^jest: \d+ passed, \d+ failed, \d+ skipped$/.test(l)).pop();
    return { code: r.status, closing, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const counts = (line: string | undefined) => {
  const m = /^jest: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(line ?? "");
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) } : null;
};

const PASSING = `test("ok", () => expect(1).toBe(1));\n`;

describe("closing line of a jest run", () => {
  test.each([
    ["all pass", { "a.test.js": PASSING }, 0, { passed: 1, failed: 0, skipped: 0 }],
    ["a failing test", { "a.test.js": PASSING, "b.test.js": `test("no", () => expect(1).toBe(2));\n` }, 1, { passed: 1, failed: 1, skipped: 0 }],
    ["a suite that throws at import", { "a.test.js": PASSING, "b.test.js": `throw new Error("peer missing under CI");\n` }, 1, { passed: 1, failed: 1, skipped: 0 }],
    ["a suite that does not parse", { "a.test.js": PASSING, "b.test.js": `test("x", () => {\n` }, 1, { passed: 1, failed: 1, skipped: 0 }],
    ["a skipped test", { "a.test.js": PASSING + `test.skip("later", () => undefined);\n` }, 0, { passed: 1, failed: 0, skipped: 1 }],
  ])("%s", (_name, files, code, expected) => {
    const r = runJest(files);
    expect({ code: r.code, counts: counts(r.closing) }).toEqual({ code, counts: expected });
  });

  test("a suite that failed to run is named in the line before the counts", () => {
    const r = runJest({ "b.test.js": `throw new Error("boom");\n` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\(1 suite\(s\) failed to run\)\njest: 0 passed, 1 failed, 0 skipped\n/);
  });
});
