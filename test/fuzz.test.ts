// Fuzz pass (fast-check, seeded, bounded runs, deterministic): hostile snapshots, certificates, profiles,
// waivers and PEM files through the readers and through the CLI entry in-process. Whatever the input,
// the outcome is a verdict (exit 0/1) or one input error (exit 2): never exit 3, never another exception.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { main } from "../lib/cli/main";
import { InputError } from "../lib/errors";
import { readMaterial } from "../lib/import/files";
import { parseJsonText } from "../lib/input";
import { loadWaivers } from "../lib/profile/waivers";
import { CertificateParseError, parseCertificate } from "../lib/x509/certificate";
import { EncodingError, parsePem } from "../lib/x509/encoding";

const SEED = 20261201;
// Bounded run counts keep this to tens of seconds; the limit is a hang guard for a loaded machine, not a budget.
jest.setTimeout(600_000);
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-fuzz-"));
let fileNo = 0;
const write = (ext: string, content: string | Buffer) => {
  const p = join(tmp, `f${fileNo++}${ext}`);
  writeFileSync(p, content);
  return p;
};
const examples = join(__dirname, "..", "examples");
const healthyText = readFileSync(join(examples, "healthy-dc.snapshot.json"), "utf8");
const healthy = JSON.parse(healthyText);
const certDers = ["dc1.pem", "root.pem", "issuing.pem", "lds1.pem", "web.pem", "expired.pem"].map((f) =>
  Buffer.from(readFileSync(join(examples, "certs", f), "latin1").replace(/-----[^-]+-----|\s/g, ""), "base64"),
);

/** The CLI entry in-process: exit code and what it wrote to stderr (stdout goes to a file via -o). */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const code = await main([...args, "-o", join(tmp, `out${fileNo++}.json`), "--now", "2030-01-01T00:00:00Z"]);
    return { code, stderr };
  } finally {
    spy.mockRestore();
  }
}

const expectNoCrash = (r: { code: number; stderr: string }) => {
  expect(r.stderr).not.toMatch(/internal error/);
  expect([0, 1, 2]).toContain(r.code);
  if (r.code === 2) expect(r.stderr.trim().split("\n")).toHaveLength(1);
};

/** Only the errors a reader promises; anything else is a crash the fuzzer found. */
const onlyThese = (fn: () => unknown, ...allowed: Array<new (...a: never[]) => Error>) => {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((k) => e instanceof k)) throw e;
  }
};

// --- certificates: byte-level mutations of real (openssl-made) certificates ---
// Flips land past the outer header (a broken outer length is refused at once and teaches nothing);
// a cut is rarer than flips.
const mutatedDer = fc
  .tuple(
    fc.constantFrom(...certDers),
    fc.array(fc.tuple(fc.integer({ min: 4, max: 4000 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4000 }) }),
  )
  .map(([der, flips, cut]) => {
    const b = Buffer.from(der);
    for (const [at, v] of flips) b[4 + (at % (b.length - 4))] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

test("certificates: a mutated DER parses or is a CertificateParseError", () => {
  fc.assert(
    fc.property(mutatedDer, (der) => onlyThese(() => parseCertificate(der), CertificateParseError)),
    { seed: SEED, numRuns: 400 },
  );
});

// --- snapshots: structural and byte mutations of the healthy example, through `evaluate` ---
const jsonLeaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.string({ maxLength: 20 }));
const snapshotMutation = fc.oneof(
  // replace a value somewhere in the document
  fc.tuple(fc.nat(), jsonLeaf).map(([n, v]) => (doc: unknown) => setNth(doc, n, v)),
  // delete a key somewhere
  fc.nat().map((n) => (doc: unknown) => setNth(doc, n, undefined)),
  // swap a certificate for a mutated one (valid base64, hostile DER)
  mutatedDer.map((der) => (doc: unknown) => {
    const d = doc as typeof healthy;
    if (d?.stores?.[1]?.certificates?.[0]) d.stores[1].certificates[0] = { der: der.toString("base64") };
    return d;
  }),
  // a presented chain of mutated certificates
  fc.array(mutatedDer, { minLength: 1, maxLength: 3 }).map((ders) => (doc: unknown) => {
    const d = doc as typeof healthy;
    if (d && typeof d === "object") d.network = { endpoints: [{ host: "dc1", port: 636, mode: "ldaps", tls: { chain: ders.map((x) => x.toString("base64")) } }] };
    return d;
  }),
);

/** Visit containers in order; the n-th (mod count) gets key k set to v (undefined deletes). */
function setNth(doc: unknown, n: number, v: unknown): unknown {
  const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (x: unknown) => {
    if (x === null || typeof x !== "object") return;
    for (const k of Array.isArray(x) ? x.keys() : Object.keys(x)) {
      slots.push([x as Record<string, unknown>, k as string | number]);
      walk((x as Record<string, unknown>)[k as string]);
    }
  };
  walk(doc);
  if (!slots.length) return v;
  const [obj, key] = slots[n % slots.length];
  if (v === undefined && !Array.isArray(obj)) delete (obj as Record<string, unknown>)[key as string];
  else (obj as Record<string | number, unknown>)[key] = v;
  return doc;
}

test("snapshots: mutated snapshots through the CLI entry never exit 3", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(snapshotMutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
      const doc = mutations.reduce((d, m) => m(d), structuredClone(healthy) as unknown);
      expectNoCrash(await cli(["evaluate", write(".json", JSON.stringify(doc) ?? "")]));
    }),
    { seed: SEED, numRuns: 60 },
  );
});

test("snapshots: arbitrary text never breaks the JSON reader", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 6 }),
    fc.tuple(fc.nat(healthyText.length), fc.string({ maxLength: 5 })).map(([at, s]) => healthyText.slice(0, at) + s + healthyText.slice(at + s.length)),
  );
  fc.assert(
    fc.property(text, (t) => onlyThese(() => parseJsonText(t, "x.json"), InputError)),
    { seed: SEED, numRuns: 300 },
  );
});

// --- profiles: schema-shaped documents with controls, through `evaluate --profile` ---
const schemaLike: fc.Arbitrary<unknown> = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.boolean(),
    fc.record(
      {
        type: fc.constantFrom("object", "array", "string", "integer", "boolean", "null"),
        properties: fc.dictionary(fc.constantFrom("eku", "name", "validity", "chain", "privateKey", "serverAuth", "x"), tie("schema"), { maxKeys: 3 }),
        required: fc.uniqueArray(fc.constantFrom("eku", "name", "x"), { maxLength: 2 }),
        const: fc.jsonValue({ maxDepth: 1 }),
        minimum: fc.integer(),
        pattern: fc.constantFrom("^a", "(", "[", "\\d+"),
        format: fc.constantFrom("date-time", "date", "bogus"),
        not: tie("schema"),
        anyOf: fc.array(tie("schema"), { minLength: 1, maxLength: 2 }),
        $ref: fc.constantFrom("#", "#/nope", "https://ldaps-audit.dev/schemas/facts.schema.json", "nowhere.json"),
        if: tie("schema"),
        then: tie("schema"),
      },
      { requiredKeys: [] },
    ),
  ),
})).schema;

// Mostly well-formed control metadata, so the schemas behind it get compiled and run; sometimes junk.
const controlMeta = fc.record(
  {
    id: fc.constantFrom("X-01", "X-02", "LDAPS-C01", "LDAPS-S01"),
    title: fc.string({ minLength: 1, maxLength: 10 }),
    severity: fc.constantFrom("low", "high", "critical"),
    scope: fc.constantFrom("host", "certificate"),
    messages: fc.record({ fail: fc.constantFrom("{{eku.names}}", "{{", "{{a.b|c}}", "{{certificates}}"), pass: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ["id", "title", "severity", "scope"] },
);
const controlLike = fc.record(
  {
    ldapsControl: fc.oneof({ weight: 5, arbitrary: controlMeta }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
    if: schemaLike,
    then: schemaLike,
    ldapsWarning: schemaLike,
  },
  { requiredKeys: ["ldapsControl", "then"] },
);

test("profiles: schema-shaped profiles through the CLI entry never exit 3", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(controlLike, { minLength: 1, maxLength: 3 }), fc.boolean(), async (controls, extendBaseline) => {
      const profile = {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        allOf: [...(extendBaseline ? [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" }] : []), ...controls],
      };
      expectNoCrash(await cli(["evaluate", join(examples, "healthy-dc.snapshot.json"), "--profile", write(".profile.json", JSON.stringify(profile))]));
    }),
    { seed: SEED, numRuns: 80 },
  );
});

// --- waivers: JSON and YAML, shaped and arbitrary ---
const waiverLike = fc.record(
  {
    control: fc.constantFrom("LDAPS-C01", "LDAPS-S01", "LDAPS-C07", "x"),
    host: fc.constantFrom("dc1.example.test", "DC1.EXAMPLE.TEST", ""),
    thumbprint: fc.constantFrom("0".repeat(40), "zz"),
    justification: fc.string({ minLength: 1, maxLength: 10 }),
    approver: fc.string({ minLength: 1, maxLength: 10 }),
    expires: fc.constantFrom("2030-01-01", "2026-02-30", "2024-02-29", "2020-01-01", "tomorrow", "2030-01-01T00:00:00Z"),
    ticket: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ["control", "justification", "approver", "expires"] },
);

test("waivers: JSON and YAML waivers files load or are one input error", () => {
  const asYaml = (w: unknown) => `waivers:\n${(w as Array<Record<string, unknown>>).map((x) => "  - " + Object.entries(x).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n    ") || "  - {}").join("\n")}\n`;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(waiverLike, { maxLength: 3 }).map((w) => [".json", JSON.stringify({ waivers: w })] as const),
        fc.array(waiverLike, { maxLength: 3 }).map((w) => [".yaml", asYaml(w)] as const),
        fc.string({ maxLength: 80 }).map((s) => [".yaml", s] as const),
        fc.string({ maxLength: 80 }).map((s) => [".json", s] as const),
      ),
      ([ext, text]) => onlyThese(() => loadWaivers(write(ext, text)), InputError),
    ),
    { seed: SEED, numRuns: 200 },
  );
});

test("waivers: through the CLI entry never exit 3", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(waiverLike, { maxLength: 3 }), async (w) => {
      expectNoCrash(await cli(["evaluate", join(examples, "healthy-dc.snapshot.json"), "--waivers", write(".json", JSON.stringify({ waivers: w }))]));
    }),
    { seed: SEED, numRuns: 40 },
  );
});

// --- PEM: token soup of markers, base64 and noise, as text and as files ---
const pemToken = fc.oneof(
  fc.constantFrom("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "-----BEGIN ", "-----", "\n", "Proc-Type: 4,ENCRYPTED\n", "MIIB", "===", " "),
  fc.base64String({ maxLength: 40 }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...certDers).map((d) => d.toString("base64").replace(/.{64}/g, "$&\n")),
);
const pemSoup = fc.array(pemToken, { maxLength: 30 }).map((t) => t.join(""));

test("PEM: any text parses or is an EncodingError", () => {
  fc.assert(
    fc.property(pemSoup, (text) => onlyThese(() => parsePem(text, "x.pem"), EncodingError)),
    { seed: SEED, numRuns: 500 },
  );
});

test("PEM: certificate files (preflight and --ca reader) load or are one input error", () => {
  fc.assert(
    fc.property(fc.oneof(pemSoup, mutatedDer.map((d) => d.toString("latin1"))), (content) => onlyThese(() => readMaterial(write(".pem", Buffer.from(content, "latin1")), undefined), InputError)),
    { seed: SEED, numRuns: 200 },
  );
});

test("PEM: preflight through the CLI entry never exits 3", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(pemSoup, mutatedDer.map((d) => `-----BEGIN CERTIFICATE-----\n${d.toString("base64")}\n-----END CERTIFICATE-----\n`)), async (content) => {
      expectNoCrash(await cli(["preflight", write(".pem", content), "--fqdn", "dc1.example.test"]));
    }),
    { seed: SEED, numRuns: 60 },
  );
});
