// The probe's own rootDSE read (lib/probe/rootdse.ts) proved two ways:
// - differentially, on a real OpenLDAP slapd: the values it reads equal what ldapts (the LDAP client the
//   probe used before, and still uses for binds) reads over the same kind of connection, for a plain rootDSE
//   and one carrying AD-style values (non-ASCII, long); over LDAPS and after StartTLS;
// - with fast-check on the reader: any bytes, cut anywhere, never throw and never take more than
//   MAX_ROOTDSE_RESPONSE; well-formed answers, cut anywhere, give the entry they carry.
import fc from "fast-check";
import { Client } from "ldapts";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { tlv, unbindRequest } from "../../lib/probe/ber";
import { Attempt, openTls } from "../../lib/probe/connect";
import { MAX_ROOTDSE_RESPONSE, readRootDse, ROOT_DSE_ATTRIBUTES, RootDseAnswer, RootDseReader, rootDseRequest } from "../../lib/probe/rootdse";
import { startSlapd, slapdPath, Slapd } from "./helpers/slapd";
import { cut } from "../helpers/cut";

jest.setTimeout(600000);
const FQDN = "dc1.example.test";
const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");

const values = (m: Map<string, Buffer[]> | null) => Object.fromEntries([...(m ?? new Map<string, Buffer[]>()).entries()].map(([k, v]) => [k, v.map((b) => b.toString("utf8"))]));

(haveSlapd ? describe : describe.skip)("rootDSE read = ldapts' read, on a real slapd", () => {
  let pki: Pki;
  let root: Issued;
  let leaf: Issued;
  const servers: Slapd[] = [];
  beforeAll(() => {
    pki = new Pki();
    root = pki.issue("root", { cn: "RootDSE Root", ca: true });
    leaf = pki.issue("leaf", { cn: FQDN, san: `DNS:${FQDN},IP:127.0.0.1`, eku: "serverAuth" }, root);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
  });

  const connect = async (port: number, mode: "ldaps" | "starttls") => {
    const attempt = new Attempt(PEER_DEADLINE_MS);
    const hs = await openTls(attempt, { host: "127.0.0.1", port, mode }, { ca: [root.pem], servername: FQDN });
    return { attempt, socket: hs.socket };
  };
  const ours = async (port: number, mode: "ldaps" | "starttls") => {
    const { attempt, socket } = await connect(port, mode);
    try {
      return values(await readRootDse(socket));
    } finally {
      attempt.close();
    }
  };
  const theirs = async (port: number, mode: "ldaps" | "starttls") => {
    const { attempt, socket } = await connect(port, mode);
    const client = new Client({ url: `ldap://127.0.0.1:${port}`, timeout: PEER_DEADLINE_MS, createConnection: (() => socket) as never });
    try {
      const res = await client.search("", { scope: "base", filter: "(objectClass=*)", attributes: ROOT_DSE_ATTRIBUTES, explicitBufferAttributes: ROOT_DSE_ATTRIBUTES });
      const e = res.searchEntries[0] as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(e)
          // ldapts lists every requested attribute, the ones the server does not have as []: absent either way.
          .filter(([k, v]) => k !== "dn" && !(Array.isArray(v) && v.length === 0))
          .map(([k, v]) => [k.toLowerCase(), (Array.isArray(v) ? v : [v]).map((b) => (Buffer.isBuffer(b) ? b.toString("utf8") : String(b)))]),
      );
    } finally {
      await client.unbind().catch(() => undefined);
      attempt.close();
    }
  };

  test.each([
    ["a plain rootDSE", {}],
    ["AD-style values, non-ASCII and long", { dnsHostName: "dc1.exämple.test", defaultNamingContext: `DC=${"x".repeat(3000)},DC=test` }],
  ])("%s: LDAPS and StartTLS, ten times each (a lost answer would show)", async (_name, rootDse) => {
    const s = await startSlapd({ certFile: leaf.certPath, keyFile: leaf.keyPath }, { rootDse });
    servers.push(s);
    for (const [port, mode] of [[s.ldapsPort, "ldaps"], [s.ldapPort, "starttls"]] as const) {
      const reference = await theirs(port, mode);
      expect(reference.supportedldapversion).toContain("3");
      for (let i = 0; i < 10; i++) expect(await ours(port, mode)).toEqual(reference);
      for (const [k, v] of Object.entries(rootDse)) expect(reference[k.toLowerCase()]).toEqual([v]);
    }
  });
});

// ---- the reader, fuzzed ----

const int = (n: number) => tlv(0x02, Buffer.from([n]));
const octets = (s: string | Buffer) => tlv(0x04, Buffer.isBuffer(s) ? s : Buffer.from(s, "utf8"));
const message = (id: number, op: Buffer) => tlv(0x30, Buffer.concat([int(id), op]));
const entry = (attrs: Array<[string, string[]]>) => message(1, tlv(0x64, Buffer.concat([octets(""), tlv(0x30, Buffer.concat(attrs.map(([t, vs]) => tlv(0x30, Buffer.concat([octets(t), tlv(0x31, Buffer.concat(vs.map((v) => octets(v))))])))))])));
const done = (code = 0, diag = "") => message(1, tlv(0x65, Buffer.concat([tlv(0x0a, Buffer.from([code])), octets(""), octets(diag)])));

const feed = (chunks: Buffer[]): RootDseAnswer => {
  const r = new RootDseReader();
  let a: RootDseAnswer = { state: "more" };
  for (const c of chunks) a = r.push(c);
  return a;
};
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe("RootDseReader on hostile bytes", () => {
  test("any bytes (often LDAP-shaped), cut anywhere: never throws, same answer whole or in pieces", () => {
    const shaped = fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 300 })).map(([b, at]) => {
      const d = Buffer.concat([entry([["dnsHostName", ["x"]]]), done()]);
      const x = Buffer.from(d);
      for (let i = 0; i < b.length && at + i < x.length; i++) x[(at + i) % x.length] ^= b[i];
      return x;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), shaped), cuts, (data, at) => {
        const whole = feed([data]);
        expect(feed(cut(data, at))).toEqual(whole);
        expect(["more", "done", "error"]).toContain(whole.state);
      }),
      { numRuns: 2000 },
    );
  });

  test("a well-formed answer, cut anywhere, gives its entry", () => {
    const attr = fc.tuple(fc.constantFrom("dnsHostName", "supportedLDAPVersion", "vendorName", "DNSHOSTNAME"), fc.array(fc.string({ maxLength: 200 }), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 5 }), fc.boolean(), cuts, (attrs, reference, at) => {
        const refMsg = message(1, tlv(0x73, octets("ldap://elsewhere/")));
        const data = Buffer.concat([entry(attrs), ...(reference ? [refMsg] : []), done()]);
        const a = feed(cut(data, at));
        expect(a.state).toBe("done");
        const expected = new Map<string, string[]>();
        for (const [t, vs] of attrs) expected.set(t.toLowerCase(), [...(expected.get(t.toLowerCase()) ?? []), ...vs]);
        expect(values(a.state === "done" ? a.entry : null)).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: 500 },
    );
  });

  test("refusals and oddities are errors naming them", () => {
    expect(feed([done(50, "no anonymous")])).toEqual({ state: "error", message: "50 insufficientAccessRights: no anonymous" });
    expect(feed([done()])).toEqual({ state: "done", entry: null });
    const notice = tlv(0x30, Buffer.concat([int(0), tlv(0x78, Buffer.concat([tlv(0x0a, Buffer.from([52])), octets(""), octets("bye")]))]));
    expect(feed([notice])).toMatchObject({ state: "error", message: expect.stringMatching(/notice of disconnection: 52 unavailable: bye/) });
    expect(feed([message(7, tlv(0x65, Buffer.alloc(0)))])).toMatchObject({ state: "error", message: expect.stringMatching(/message 7/) });
    expect(feed([Buffer.from("HTTP/1.1 400")])).toMatchObject({ state: "error", message: expect.stringMatching(/not answer with an LDAP message/) });
    expect(feed([Buffer.concat([entry([]), entry([])])])).toMatchObject({ state: "error", message: "more than one rootDSE entry" });
  });

  test("bounded: a message that claims more than the cap, trickled byte by byte, is cut off at the cap", () => {
    const r = new RootDseReader();
    let a = r.push(Buffer.from([0x30, 0x84, 0x10, 0x00, 0x00, 0x00]));
    let pushes = 0;
    for (; pushes < MAX_ROOTDSE_RESPONSE + 10 && a.state === "more"; pushes++) a = r.push(Buffer.from([0]));
    expect(a).toEqual({ state: "error", message: `the rootDSE answer exceeds ${MAX_ROOTDSE_RESPONSE} bytes` });
    expect(pushes).toBeLessThanOrEqual(MAX_ROOTDSE_RESPONSE);
  });

  test("the request: one search of the root DSE for the five attributes; the unbind sent after the answer", () => {
    const req = rootDseRequest();
    expect(req[0]).toBe(0x30);
    expect(req.includes(Buffer.from([0x63]))).toBe(true);
    for (const a of ROOT_DSE_ATTRIBUTES) expect(req.includes(Buffer.from(a))).toBe(true);
    expect(unbindRequest(2)).toEqual(Buffer.from([0x30, 0x05, 0x02, 0x01, 0x02, 0x42, 0x00]));
  });
});
