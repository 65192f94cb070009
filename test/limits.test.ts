// The README's input-limit table is generated from lib/limits.ts, the one place the limits are defined.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { limitsMarkdown, LIMITS } from "../lib/limits";
import * as limits from "../lib/limits";

test("the README lists every input limit, as lib/limits.ts defines it", () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const block = /<!-- limits:begin -->\n([\s\S]*?)\n<!-- limits:end -->/.exec(readme);
  expect(block).not.toBeNull();
  // Regenerate with: node -e 'console.log(require("./dist/lib/limits").limitsMarkdown())'
  expect(block![1]).toBe(limitsMarkdown());
});

test("every exported MAX_ constant is in the table, and every row names one", () => {
  const constants = Object.keys(limits).filter((k) => k.startsWith("MAX_"));
  expect(LIMITS.map((r) => r.constant).sort()).toEqual(constants.sort());
});
