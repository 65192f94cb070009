// The README's control catalogue, generated from the control files (schemas/controls/*.json) and the
// shipped profiles, so the documentation cannot drift from what is evaluated. `npm run catalogue`
// rewrites the section; test/controls/catalogue.test.ts fails when it is stale.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths";
import { loadProfile, SHIPPED_PROFILES } from "./load";
import type { ControlMetadata } from "./types";

export const CATALOGUE_BEGIN = "<!-- control catalogue: generated from schemas/controls by `npm run catalogue` -->";
export const CATALOGUE_END = "<!-- end of control catalogue -->";

interface ControlFile {
  ldapsControl: ControlMetadata;
  $defs?: Record<string, Record<string, unknown>>;
}

export function controlFiles(): Array<{ file: string; doc: ControlFile }> {
  const dir = join(packageRoot(), "schemas", "controls");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: `schemas/controls/${f}`, doc: JSON.parse(readFileSync(join(dir, f), "utf8")) as ControlFile }));
}

function parameterText(defs: ControlFile["$defs"]): string {
  return Object.entries(defs ?? {})
    .map(([name, schema]) => `\`${name}\` ${Object.entries(schema).filter(([k]) => k !== "description").map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ")}`)
    .join("; ");
}

/** How each shipped profile applies a control: fail, warn (advisory), a parameter it sets, or not at all. */
function inProfiles(id: string): string {
  return SHIPPED_PROFILES.map((name) => {
    const c = loadProfile(name).controls.find((x) => x.meta.id === id);
    if (!c) return null;
    const file = controlFiles().find((f) => f.doc.ldapsControl.id === id)?.doc.$defs ?? {};
    const changed = Object.entries(c.parameters).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(file[k]));
    const set = changed.map(([k, v]) => `${k} ${JSON.stringify(Object.fromEntries(Object.entries(v as object).filter(([x]) => x !== "description")))}`);
    return `${name}${c.meta.advisory ? " (warn)" : ""}${set.length ? ` (${set.join(", ")})` : ""}`;
  })
    .filter(Boolean)
    .join(", ");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderCatalogue(): string {
  const rows = controlFiles().map(({ file, doc }) => {
    const m = doc.ldapsControl;
    const reads = (m.reads ?? []).map((r) => `\`${r}\``).join(", ");
    return `| [${m.id}](${file}) | ${cell(m.title)} | ${m.scope} | ${reads} | ${cell(parameterText(doc.$defs)) || "—"} | ${inProfiles(m.id) || "—"} | [table](test/controls/${m.id}.test.ts) |`;
  });
  return [
    CATALOGUE_BEGIN,
    "| control | requirement | instance | facts it reads | parameters (default) | shipped profiles | tests |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    CATALOGUE_END,
  ].join("\n");
}

/** Replace the catalogue section of README.md with the generated one; returns whether it changed. */
export function writeReadmeCatalogue(readme = join(packageRoot(), "README.md")): boolean {
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(CATALOGUE_BEGIN);
  const end = text.indexOf(CATALOGUE_END);
  if (start < 0 || end < start) throw new Error(`${readme}: no catalogue markers`);
  const next = text.slice(0, start) + renderCatalogue() + text.slice(end + CATALOGUE_END.length);
  if (next !== text) writeFileSync(readme, next);
  return next !== text;
}
