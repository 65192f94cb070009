// The control is the unit: every control file has its test table and every table a control; the README
// catalogue is what the control files say; the files are what the loader accepts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { controlFiles, renderCatalogue, CATALOGUE_BEGIN, CATALOGUE_END } from "../../lib/profile/catalogue";
import { loadProfile, SHIPPED_PROFILES } from "../../lib/profile/load";
import { describeErrors, getAjv, PROFILE_META_ID } from "../../lib/schemas";

const root = join(__dirname, "..", "..");
const ids = controlFiles().map((f) => f.doc.ldapsControl.id);

test("every control file has a test table, and every table a control file", () => {
  const tables = readdirSync(__dirname).filter((f) => /^[A-Z]+-[A-Z0-9]+\.test\.ts$/.test(f)).map((f) => f.replace(".test.ts", ""));
  expect({ withoutTable: ids.filter((id) => !tables.includes(id)), withoutControl: tables.filter((t) => !ids.includes(t)) }).toEqual({ withoutTable: [], withoutControl: [] });
  for (const t of tables) expect(readFileSync(join(__dirname, `${t}.test.ts`), "utf8")).toContain(`testControl("${t}", {`);
});

test("each control file is named after its id, and its $id says so", () => {
  for (const { file, doc } of controlFiles()) {
    expect(file).toBe(`schemas/controls/${doc.ldapsControl.id}.json`);
    expect((doc as unknown as { $id: string }).$id).toBe(`https://ldaps-audit.dev/schemas/${file.slice("schemas/".length)}`);
  }
});

test("the hardened profile selects every shipped control (so every file is linted and its reads checked at load)", () => {
  expect(loadProfile("hardened").controls.map((c) => c.meta.id).sort()).toEqual([...ids].sort());
});

test("the shipped profiles are valid profiles by the rules user profiles follow", () => {
  const meta = getAjv().getSchema(PROFILE_META_ID)!;
  for (const name of SHIPPED_PROFILES) {
    const doc = JSON.parse(readFileSync(join(root, "schemas", "profiles", `${name}.profile.json`), "utf8"));
    expect(meta(doc) ? "valid" : describeErrors(meta.errors)).toBe("valid");
  }
});

test("the README control catalogue is generated from the control files (npm run catalogue)", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(CATALOGUE_BEGIN), readme.indexOf(CATALOGUE_END) + CATALOGUE_END.length);
  expect(section).toBe(renderCatalogue());
  for (const id of ids) expect(section).toContain(`[${id}](schemas/controls/${id}.json)`);
});

test("the facts name no control: no control id in lib/facts or the facts schemas (what Windows does is not a policy)", () => {
  const offenders: string[] = [];
  const scan = (dir: string) => {
    for (const f of readdirSync(join(root, dir))) {
      if (!/\.(ts|json)$/.test(f)) continue;
      readFileSync(join(root, dir, f), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/\b[A-Z]+-[CSNEG]\d{2}\b/.test(line)) offenders.push(`${dir}/${f}:${i + 1}`);
        });
    }
  };
  for (const dir of ["lib/facts", "schemas/facts"]) scan(dir);
  offenders.push(...(/\b[A-Z]+-[CSNEG]\d{2}\b/.test(readFileSync(join(root, "schemas/facts.schema.json"), "utf8")) ? ["schemas/facts.schema.json"] : []));
  expect(offenders).toEqual([]);
});
