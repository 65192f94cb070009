// The facts types are generated from the facts JSON Schemas (scripts/schema-types.js); a schema change
// without regenerating fails here, so TypeScript and the schema cannot disagree. The generator runs in
// its own node process (json-schema-to-typescript loads its formatter by dynamic import).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = join(__dirname, "..", "scripts", "schema-types.js");
const generated = join(__dirname, "..", "lib", "facts", "schema-types.generated.ts");
const check = (file?: string) => spawnSync(process.execPath, [script, "--check", ...(file ? [file] : [])], { encoding: "utf8", timeout: 60_000 });

test("lib/facts/schema-types.generated.ts is what the facts schemas generate", () => {
  const r = check();
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
}, 90_000);

test("a hand edit of the generated types is caught", () => {
  const tampered = join(mkdtempSync(join(tmpdir(), "ldaps-audit-types-")), "schema-types.generated.ts");
  writeFileSync(tampered, readFileSync(generated, "utf8").replace("thumbprint: string;", "thumbprint: string | number;"));
  const r = check(tampered);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/is stale: run npm run types/);
}, 90_000);
