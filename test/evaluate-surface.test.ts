// evaluate --probe with the TLS surface: the collector's Schannel registry and the probe's --ciphers
// evidence meet in one facts document, so "the registry turns TLS 1.0 and 3DES off, yet 636 accepts them"
// is LDAPS-N12's warning, the weak suite LDAPS-N10's failure, and TLS 1.2 LDAPS-N11's pass.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles } from "../lib/audit";
import { renderText } from "../lib/report/text";
import { renderHtml } from "../lib/report/html";
import { reportJson } from "../lib/report/document";

/** Paths of objects holding two keys that differ by case only: PowerShell's ConvertFrom-Json refuses such JSON. */
function caseCollisions(v: unknown, at = "$"): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => caseCollisions(x, `${at}[${i}]`));
  if (!v || typeof v !== "object") return [];
  const keys = Object.keys(v);
  const lower = keys.map((k) => k.toLowerCase());
  const here = keys.filter((k, i) => lower.indexOf(lower[i]) !== i).map((k) => `${at}.${k}`);
  return [...here, ...keys.flatMap((k) => caseCollisions((v as Record<string, unknown>)[k], `${at}.${k}`))];
}

const root = join(__dirname, "..", "examples");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-evalsurface-"));
const NOW = new Date("2026-11-24T00:00:00Z");
const FQDN = "dc1.corp.example.test";

function write(name: string, doc: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

test("registry off, wire on: N12 warns naming both; the weak suite fails N10; TLS 1.2 passes N11", () => {
  const collected = JSON.parse(readFileSync(join(root, "healthy-dc.snapshot.json"), "utf8"));
  collected.registry = { ...collected.registry, schannel: { EventLogging: 1, protocols: { "TLS 1.0": { Enabled: 0, DisabledByDefault: 1 } }, ciphers: { "Triple DES 168": { Enabled: 0 } } } };
  const snapshot = write("dc1.snapshot.json", collected);
  const probe = write("dc1.probe.json", {
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn: FQDN },
    network: {
      probedAt: "2026-11-24T00:00:00.000Z",
      endpoints: [
        {
          host: FQDN, port: 636, mode: "ldaps", purpose: "ldap", servername: FQDN, failure: null,
          tls: { protocol: "TLSv1.2", cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", chain: [], authorized: true, authorizationError: null, hostnameMatches: true },
          versions: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": false },
          // As a prober with 3DES in its TLS library would record it (Node's OpenSSL 3 lists it as untestable).
          ciphers: { handshakes: 5, maxHandshakes: 64, library: "test", versions: {
            TLSv1: { accepted: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"], refused: [], untestable: [], notTested: [], stopped: null },
            "TLSv1.2": { accepted: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"], refused: [], untestable: [], notTested: [], stopped: null },
          } },
        },
      ],
    },
  });
  const report = evaluateFiles([snapshot], { now: NOW, probes: [probe], profile: "hardened" });
  const c = (id: string) => report.targets[0].controls.find((x) => x.id === id)!;
  expect(c("LDAPS-N12").status).toBe("warn");
  expect(c("LDAPS-N12").message).toMatch(/turns TLS 1\.0 off .*yet 636\/LDAPS accepted TLSv1/);
  expect(c("LDAPS-N12").message).toMatch(/Triple DES 168 off, yet 636\/LDAPS TLSv1\.2 accepted TLS_RSA_WITH_3DES_EDE_CBC_SHA/);
  expect(c("LDAPS-N10").status).toBe("fail");
  expect(c("LDAPS-N10").message).toMatch(/TLS_RSA_WITH_3DES_EDE_CBC_SHA: 3DES/);
  expect(c("LDAPS-N11").status).toBe("pass");
  // The report carries the surface facts, so the text and HTML sections show it (they read report.targets[].facts).
  expect(report.targets[0].facts.tlsSurface).toBeTruthy();
  expect(renderText(report)).toMatch(/TLS surface:[\s\S]*TLS_RSA_WITH_3DES_EDE_CBC_SHA/);
  expect(renderHtml(report)).toMatch(/<h3>TLS surface<\/h3>[\s\S]*TLS_RSA_WITH_3DES_EDE_CBC_SHA/);
  // The PS module (Invoke-LdapsAudit) reads this JSON with ConvertFrom-Json, which refuses keys that differ by case.
  expect(caseCollisions(JSON.parse(reportJson(report)))).toEqual([]);
});
