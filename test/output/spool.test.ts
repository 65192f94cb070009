// lib/output/spool.ts: a report for stdout, a descriptor, a FIFO or a device waits in memory, then (past
// its memory bound) in a private temp file that is gone once delivered or discarded.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spool } from "../../lib/output/spool";

// (The CLI tests run with a private TMPDIR and find it empty afterwards: test/output/output-paths.test.ts.)
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ldaps-audit-spool-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Deliver to an open descriptor (a regular file here) and return what it received. */
async function delivered(spool: Spool): Promise<string> {
  const out = join(dir, "out");
  const fd = openSync(out, "w");
  try {
    await spool.deliver({ kind: "descriptor", name: "out", fd });
  } finally {
    closeSync(fd);
  }
  return readFileSync(out, "utf8");
}

const parts = ["{\"targets\":[", "\"é😀\\u0000\",", "x".repeat(700), "]}\n"];

test.each([
  ["within its memory bound: no temp file at all", 1 << 20, false],
  ["past its memory bound: a private temp file, removed once delivered", 64, true],
])("%s", async (_name, memoryBytes, spills) => {
  const spool = new Spool("out", memoryBytes);
  for (const p of parts) spool.write(p);
  expect(spool.path !== undefined).toBe(spills);
  const path = spool.path;
  if (path) {
    expect(path.startsWith(join(tmpdir(), ".ldaps-audit-report."))).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  }
  expect(await delivered(spool)).toBe(parts.join(""));
  if (path) expect(existsSync(path)).toBe(false);
});

test("discard drops the temp file and what was held", async () => {
  const spool = new Spool("out", 16);
  spool.write("x".repeat(100));
  const path = spool.path!;
  expect(existsSync(path)).toBe(true);
  spool.discard();
  expect(existsSync(path)).toBe(false);
});

test("bytes written exactly at the bound stay in memory; one more moves them all to the file, in order", async () => {
  const spool = new Spool("out", 10);
  spool.write("0123456789");
  expect(spool.path).toBeUndefined();
  spool.write("a");
  expect(readFileSync(spool.path!, "utf8")).toBe("0123456789a");
  spool.write("bc");
  expect(await delivered(spool)).toBe("0123456789abc");
});
