// The configuration documents in dsc/examples: valid DSC v3 documents (the published schema, nested
// Assertion documents too), LdapsAudit/Compliance properties valid against the resource's instance
// schema, dependsOn pointing at real instances, and the offline example's verdicts as dsc would see them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { dscInDesiredState, invoke, invokeSet, readManifest, referenceAjv, referenceSchema, REPO } from "./harness";

const EXAMPLES = join(REPO, "dsc", "examples");
const manifest = readManifest();
const ajv = referenceAjv();
const validateDocument = ajv.compile(referenceSchema("config-document.v3.bundled.json"));
const validateInstance = ajv.compile(manifest.schema.embedded);

interface Resource {
  name: string;
  type: string;
  properties?: Record<string, unknown>;
  dependsOn?: string[];
}
interface Document {
  $schema: string;
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  resources: Resource[];
}

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".dsc.config.yaml")).sort();
const load = (f: string) => YAML.parse(readFileSync(join(EXAMPLES, f), "utf8")) as Document;

/** Replace "[parameters('x')]" with the parameter's default value, as dsc does when none is given. */
function resolveParameters(props: Record<string, unknown>, doc: Document): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const m = typeof v === "string" ? /^\[parameters\('(\w+)'\)\]$/.exec(v) : null;
    if (m) {
      const p = doc.parameters?.[m[1]];
      expect(p).toBeDefined();
      out[k] = p!.defaultValue;
    } else out[k] = v;
  }
  return out;
}

/** Every LdapsAudit/Compliance instance, including those inside group resources (Assertion). */
function auditInstances(doc: Document, check: (d: Document) => void): Array<{ resource: Resource; doc: Document }> {
  check(doc);
  const found: Array<{ resource: Resource; doc: Document }> = [];
  for (const r of doc.resources) {
    if (r.type === manifest.type) found.push({ resource: r, doc });
    if (r.type === "Microsoft.DSC/Assertion" || r.type === "Microsoft.DSC/Group") found.push(...auditInstances(r.properties as unknown as Document, check));
  }
  return found;
}

function validDocument(doc: Document): void {
  const ok = validateDocument(doc);
  expect(ok ? [] : validateDocument.errors).toEqual([]);
  // dependsOn must name an instance of this document: [resourceId('<type>', '<name>')]
  for (const r of doc.resources) {
    for (const dep of r.dependsOn ?? []) {
      const m = /^\[resourceId\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)\]$/.exec(dep);
      expect(m).not.toBeNull();
      expect(doc.resources.some((x) => x.type === m![1] && x.name === m![2] && x !== r)).toBe(true);
    }
  }
}

test("the four examples are there and the README explains each", () => {
  expect(files).toEqual(["baseline.dsc.config.yaml", "fix-ldaps.dsc.config.yaml", "gate-on-ldaps.dsc.config.yaml", "offline-snapshot.dsc.config.yaml"]);
  const readme = readFileSync(join(EXAMPLES, "README.md"), "utf8");
  for (const f of files) expect(readme).toContain(f);
  expect(readme).toMatch(/dsc config test --file/);
  expect(readme).toMatch(/DSC_RESOURCE_PATH/);
  expect(readme).toMatch(/results\[\]\.result\.inDesiredState/);
  // the document schema is not vacuous
  expect(validateDocument({ $schema: "https://aka.ms/dsc/schemas/v3/bundled/config/document.json", resources: [{ name: "bad-name!", type: "NoNamespace" }] })).toBe(false);
});

describe.each(files)("%s", (file) => {
  const doc = load(file);

  test("is a valid DSC v3 configuration document (nested documents too) whose LdapsAudit properties fit the instance schema", () => {
    const instances = auditInstances(doc, validDocument);
    expect(instances.length).toBeGreaterThan(0);
    for (const { resource, doc: d } of instances) {
      const props = resolveParameters(resource.properties ?? {}, d);
      const ok = validateInstance(props);
      expect(ok ? [] : validateInstance.errors).toEqual([]);
    }
  });
});

test("baseline example: the baseline profile, collected on the host", () => {
  const [{ resource, doc }] = auditInstances(load("baseline.dsc.config.yaml"), () => undefined);
  const props = resolveParameters(resource.properties!, doc);
  expect(props).toEqual({ profile: "baseline", lookbackDays: 7 });
});

test("fix example: demands an elevated dsc, and its set --what-if (on a 1220 host's snapshot) plans the enrolment", () => {
  const doc = load("fix-ldaps.dsc.config.yaml") as Document & { metadata?: Record<string, Record<string, unknown>> };
  expect(doc.metadata?.["Microsoft.DSC"]?.securityContext).toBe("elevated");
  const [{ resource, doc: d }] = auditInstances(doc, () => undefined);
  const props = { ...resolveParameters(resource.properties ?? {}, d), snapshotPath: "../examples/event-1220-no-certificate.snapshot.json", now: "2026-11-24T00:00:00Z" };
  const r = invokeSet(manifest, JSON.stringify(props), true);
  if ("error" in r) throw new Error(JSON.stringify(r.error.traces));
  const whatIf = (r.afterState._metadata as { whatIf: string[] }).whatIf;
  expect(whatIf.map((l) => l.split(":")[0])).toEqual(["obtain-certificate/NTDS", "reload-certificate/NTDS", "verify/NTDS"]);
  expect(whatIf[0]).toMatch(/KerberosAuthentication/);
});

test("gate example: a later resource depends on an Assertion wrapping the audit", () => {
  const doc = load("gate-on-ldaps.dsc.config.yaml");
  const assertion = doc.resources.find((r) => r.type === "Microsoft.DSC/Assertion")!;
  expect((assertion.properties as unknown as Document).resources.map((r) => r.type)).toEqual([manifest.type]);
  const dependent = doc.resources.find((r) => r.dependsOn?.length)!;
  expect(dependent.dependsOn).toEqual([`[resourceId('Microsoft.DSC/Assertion', '${assertion.name}')]`]);
  expect(doc.resources.indexOf(dependent)).toBeGreaterThan(doc.resources.indexOf(assertion));
});

test("offline example: each instance run as dsc runs it gives the expected verdict", () => {
  const instances = auditInstances(load("offline-snapshot.dsc.config.yaml"), () => undefined);
  const verdicts = instances.map(({ resource }) => {
    const r = invoke(manifest, "test", JSON.stringify(resource.properties));
    expect(r.code).toBe(0);
    const [actual, diff] = r.stdoutLines as [Record<string, unknown>, string[]];
    return [resource.name, dscInDesiredState(actual, diff)];
  });
  expect(verdicts).toEqual([
    ["Healthy DC snapshot", true],
    ["Wrong name snapshot", false],
  ]);
});

test("the README's recipes keep the rest of PATH in DSC_RESOURCE_PATH, and the gate is not called a report", () => {
  // dsc replaces PATH with DSC_RESOURCE_PATH for the processes it starts: without the existing PATH they lose
  // powershell.exe, dsc.exe and the built-in Microsoft.DSC/Assertion.
  for (const readme of [readFileSync(join(EXAMPLES, "README.md"), "utf8"), readFileSync(join(REPO, "README.md"), "utf8")]) {
    const settings = readme.split("\n").filter((l) => /^\s*(\$env:DSC_RESOURCE_PATH\s*=|export DSC_RESOURCE_PATH=)/.test(l));
    for (const line of settings) expect(line).toMatch(/\$env:PATH|\$PATH/);
  }
  expect(readFileSync(join(EXAMPLES, "README.md"), "utf8").split("\n").filter((l) => /DSC_RESOURCE_PATH\s*=/.test(l))).toHaveLength(2);
  // An Assertion out of desired state fails the outer `dsc config test` ("Assertion failed", exit 8).
  const gate = readFileSync(join(EXAMPLES, "gate-on-ldaps.dsc.config.yaml"), "utf8");
  expect(gate).not.toMatch(/report only/i);
  expect(gate).toMatch(/Assertion failed", exit 8/);
  expect(readFileSync(join(EXAMPLES, "README.md"), "utf8")).toMatch(/`dsc config test` reports `Assertion failed` and\s+exits 8/);
});
