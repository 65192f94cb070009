// User profiles for control tables, written to a temporary folder as a user would write them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir: string | undefined;

export function userProfile(name: string, allOf: unknown[]): string {
  dir ??= mkdtempSync(join(tmpdir(), "ldaps-audit-controls-"));
  const path = join(dir, `${name}.profile.json`);
  writeFileSync(path, JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: `https://example.test/profiles/${name}.json`, ldapsProfile: { id: name, title: name }, allOf }));
  return path;
}
