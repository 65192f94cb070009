// The shared control tester, in the style of ESLint's RuleTester: a control's table lists `valid` fact
// fragments (pass, or skip) and `invalid` ones (fail, or warn), each deep-merged onto real facts (the
// healthy-dc example, probed on 636/3269/389 with its own certificate files) and judged by the control
// as a shipped or user profile defines it. Every merged instance must validate against the facts schema,
// so a table cannot test a fact that does not exist.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deriveFacts } from "../../lib/facts";
import type { TargetFacts } from "../../lib/facts/types";
import { evaluateControl } from "../../lib/profile/evaluate";
import { loadProfile } from "../../lib/profile/load";
import type { Status } from "../../lib/profile/types";
import { describeErrors, FACTS_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { EndpointEvidence, Snapshot } from "../../lib/snapshot";

export const NOW = new Date("2026-11-24T00:00:00Z");
const examples = join(__dirname, "..", "..", "examples");

type Fragment = { [key: string]: unknown };

export interface ControlCase {
  name: string;
  /** Deep-merged onto the fixture instance (objects merge, arrays and values replace). */
  facts: Fragment;
  /** baseline, hardened (default: hardened, which selects every shipped control) or a profile file. */
  profile?: string;
  /** valid: pass (default) or skip; invalid: fail (default) or warn. */
  status?: Status;
  message?: RegExp;
}

export interface ControlTable {
  valid: ControlCase[];
  invalid: ControlCase[];
}

function pemDer(name: string): string {
  const pem = readFileSync(join(examples, "certs", `${name}.pem`), "utf8");
  return pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
}

function endpoint(port: number): EndpointEvidence {
  const host = "dc1.corp.example.test";
  return {
    host,
    port,
    mode: port === 389 ? "starttls" : "ldaps",
    purpose: port === 3269 ? "gc" : "ldap",
    servername: host,
    failure: null,
    tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [pemDer("dc1"), pemDer("issuing")], authorized: true, authorizationError: null, hostnameMatches: true },
    versions: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
    ldap: {
      rootDse: { dnsHostName: host, isGlobalCatalogReady: true, supportedLDAPVersion: ["3"], defaultNamingContext: "DC=corp,DC=example,DC=test", vendorName: null },
      rootDseError: null,
      bind: { attempted: true, dn: "audit@corp.example.test", ok: true, error: null, skippedReason: null },
    },
  };
}

let fixture: TargetFacts | undefined;

/** The healthy DC example, as collected and as probed: every control has the facts it reads. */
export function healthyFacts(): TargetFacts {
  if (!fixture) {
    const snapshot = JSON.parse(readFileSync(join(examples, "healthy-dc.snapshot.json"), "utf8")) as Snapshot;
    snapshot.network = { probedAt: "2026-11-23T12:00:00Z", prober: "test", endpoints: [636, 3269, 389].map(endpoint) };
    [fixture] = deriveFacts(snapshot, { now: NOW, source: "healthy-dc" });
  }
  return structuredClone(fixture);
}

function isObject(x: unknown): x is Fragment {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

export function deepMerge<T>(base: T, fragment: Fragment): T {
  if (!isObject(base)) return fragment as T;
  const out: Fragment = { ...(base as Fragment) };
  for (const [k, v] of Object.entries(fragment)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out as T;
}

function judge(id: string, c: ControlCase): { status: Status; message: string } {
  const profile = loadProfile(c.profile ?? "hardened");
  const control = profile.controls.find((x) => x.meta.id === id);
  if (!control) throw new Error(`${id} is not in profile ${c.profile ?? "hardened"}`);
  const facts = healthyFacts();
  const certificate = facts.certificates.find((x) => x.predicted)!;
  const instance = control.meta.scope === "certificate" ? deepMerge(certificate, c.facts) : deepMerge(facts, c.facts);
  const validate = validatorFor(control.meta.scope === "certificate" ? `${FACTS_SCHEMA_ID}#/$defs/Certificate` : FACTS_SCHEMA_ID);
  if (!validate(instance)) throw new Error(`case "${c.name}": the fragment does not give valid facts: ${describeErrors(validate.errors)}`);
  return evaluateControl(control, instance);
}

/** One control's table: run by `test/controls/<id>.test.ts`. */
export function testControl(id: string, table: ControlTable): void {
  describe(id, () => {
    test("has failing cases: a control whose requirement can be violated has a row where it fails", () => {
      expect(table.invalid.length).toBeGreaterThan(0);
      // In hardened (every control), a control that is not advisory and whose `then` is not `true` must be
      // shown failing at least once; a warning row alone would let a control that cannot fail pass its table.
      const control = loadProfile("hardened").controls.find((x) => x.meta.id === id)!;
      const canFail = !control.meta.advisory && control.requirement.validate.schema !== true;
      if (canFail) expect(table.invalid.some((c) => (c.status ?? "fail") === "fail" && (c.profile ?? "hardened") === "hardened")).toBe(true);
    });
    const rows = [...table.valid.map((c) => ["valid", c] as const), ...table.invalid.map((c) => ["invalid", c] as const)];
    test.each(rows.map(([kind, c]) => [`${kind}: ${c.name}`, kind, c] as const))("%s", (_name, kind, c) => {
      const want = c.status ?? (kind === "valid" ? "pass" : "fail");
      expect(kind === "valid" ? ["pass", "skip"] : ["fail", "warn"]).toContain(want);
      const got = judge(id, c);
      expect(got.status).toBe(want);
      if (c.message) expect(got.message).toMatch(c.message);
    });
  });
}
