// The channel-binding check against a fake Active Directory LDAPS server. A fake because nothing on Linux
// enforces LDAP channel binding the Windows way (Samba 4.17 has neither Sicily binds nor LDAPS channel-binding
// enforcement; see enforcement-samba.test.ts): this server answers Sicily NTLM binds the way a DC does
// (MS-ADTS 5.1.1.1.3: the CHALLENGE in matchedDN of a success; errors as "... AcceptSecurityContext error,
// data <hex>, v4563") according to LdapEnforceChannelBinding 0/1/2, and records what the probe sent, so the
// test also shows that no real credential is offered. Its BER and NTLM parsing is written here, independently
// of lib/probe.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { probeEnforcement } from "../../lib/probe/enforcement";
import { enforcementPorts, probeHost } from "../../lib/probe";
import { enforcementFacts } from "../../lib/facts/enforcement";
import { Pki } from "../helpers/openssl";
import { renderProbeText } from "../../lib/probe/render";
import { expectTerminalSafe, MARK } from "../helpers/terminal";
import { hasCommand, PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

// --- minimal BER, for the fake only --------------------------------------------------------------------
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const b: number[] = [];
  for (let v = n; v > 0; v >>= 8) b.unshift(v & 0xff);
  return Buffer.from([0x80 | b.length, ...b]);
}
const tlv = (tag: number, v: Buffer) => Buffer.concat([Buffer.from([tag]), len(v.length), v]);
function readTlv(buf: Buffer, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > buf.length) return null;
  let l = buf[at + 1];
  let start = at + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + buf[start + i];
    start += n;
  }
  return start + l > buf.length ? null : { tag: buf[at], start, end: start + l };
}
const bindResponse = (id: number, code: number, matchedDN: Buffer, diag: string) =>
  tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([id])), tlv(0x61, Buffer.concat([tlv(0x0a, Buffer.from([code])), tlv(0x04, matchedDN), tlv(0x04, Buffer.from(diag))]))]));

// --- NTLM CHALLENGE as a DC sends it, and the AV pairs of an AUTHENTICATE's NTLMv2 response ------------------
function challengeMessage(): Buffer {
  const av = (id: number, v: Buffer) => Buffer.concat([Buffer.from([id & 0xff, id >> 8, v.length & 0xff, v.length >> 8]), v]);
  const info = Buffer.concat([av(2, Buffer.from("CORP", "utf16le")), av(1, Buffer.from("DC1", "utf16le")), av(4, Buffer.from("corp.example.test", "utf16le")), av(7, Buffer.alloc(8, 1)), av(0, Buffer.alloc(0))]);
  const target = Buffer.from("CORP", "utf16le");
  const h = Buffer.alloc(56);
  h.write("NTLMSSP\0", 0, "latin1");
  h.writeUInt32LE(2, 8);
  h.writeUInt16LE(target.length, 12);
  h.writeUInt16LE(target.length, 14);
  h.writeUInt32LE(56, 16);
  h.writeUInt32LE(0xa2898205, 20);
  randomBytes(8).copy(h, 24);
  h.writeUInt16LE(info.length, 40);
  h.writeUInt16LE(info.length, 42);
  h.writeUInt32LE(56 + target.length, 44);
  return Buffer.concat([h, target, info]);
}

interface Seen {
  names: string[];
  user: string;
  domain: string;
  lmZero: boolean;
  cbt: Buffer | null;
}

function readAuthenticate(m: Buffer): Seen {
  const field = (at: number) => m.subarray(m.readUInt32LE(at + 4), m.readUInt32LE(at + 4) + m.readUInt16LE(at));
  const nt = field(20);
  let cbt: Buffer | null = null;
  // NTProofStr (16) + blob header (28) then AV pairs.
  for (let at = 16 + 28; at + 4 <= nt.length; ) {
    const id = nt.readUInt16LE(at);
    const l = nt.readUInt16LE(at + 2);
    if (id === 0) break;
    if (id === 10) cbt = Buffer.from(nt.subarray(at + 4, at + 4 + l));
    at += 4 + l;
  }
  return { names: [], user: field(36).toString("utf16le"), domain: field(28).toString("utf16le"), lmZero: field(12).equals(Buffer.alloc(24)), cbt };
}

const WRONG_CREDENTIALS = "80090308: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data 52e, v4563";
const BAD_BINDINGS = "80090346: LdapErr: DSID-0C090594, comment: AcceptSecurityContext error, data 80090346, v4563";

/** A DC's LDAPS port with LdapEnforceChannelBinding = `setting`; every AUTHENTICATE it saw is in `seen`. */
async function fakeDc(cert: { key: Buffer; cert: string }, setting: 0 | 1 | 2, wrongCredentials = WRONG_CREDENTIALS): Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = tls.createServer({ key: cert.key, cert: cert.cert }, (s) => {
    let buf = Buffer.alloc(0);
    const names: string[] = [];
    s.on("error", () => undefined);
    s.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (let msg = readTlv(buf, 0); msg; msg = readTlv(buf, 0)) {
        const m = Buffer.from(buf.subarray(0, msg.end));
        buf = buf.subarray(msg.end);
        const id = readTlv(m, msg.start)!;
        const op = readTlv(m, id.end)!;
        const messageId = m[id.start];
        if (op.tag === 0x42) return void s.end();
        const version = readTlv(m, op.start)!;
        const name = readTlv(m, version.end)!;
        const auth = readTlv(m, name.end)!;
        names.push(m.subarray(name.start, name.end).toString());
        const value = m.subarray(auth.start, auth.end);
        if (auth.tag === 0x8a) s.write(bindResponse(messageId, 0, challengeMessage(), ""));
        else if (auth.tag === 0x8b) {
          const got = { ...readAuthenticate(value), names: [...names] };
          seen.push(got);
          const refuse = (setting === 2 && !got.cbt) || (setting >= 1 && got.cbt !== null);
          s.write(bindResponse(messageId, 49, Buffer.alloc(0), refuse ? BAD_BINDINGS : wrongCredentials));
        } else s.write(bindResponse(messageId, 7, Buffer.alloc(0), "unexpected bind choice"));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise((r) => server.close(() => r())) };
}

d("channel binding on the wire against a DC-shaped LDAPS server", () => {
  let pki: Pki;
  let cert: { key: Buffer; cert: string };
  beforeAll(() => {
    pki = new Pki();
    const leaf = pki.issue("dc1", { cn: "dc1.corp.example.test", san: "DNS:dc1.corp.example.test,IP:127.0.0.1", eku: "serverAuth" });
    cert = { key: readFileSync(leaf.keyPath), cert: leaf.pem };
  });
  afterAll(() => pki?.cleanup());

  test.each([
    [2, "always", 1, /without a channel-binding token was answered invalidCredentials \(49\): .*data 80090346.*SEC_E_BAD_BINDINGS/],
    [1, "when-supported", 2, /a wrong token was refused with 80090346/],
    [0, "never", 2, /a wrong token was not refused either/],
  ] as const)("LdapEnforceChannelBinding = %s reads as %s (%s NTLM bind(s), throw-away account, no password)", async (setting, expected, binds, reason) => {
    const dc = await fakeDc(cert, setting);
    try {
      const evidence = await probeEnforcement({ host: "127.0.0.1", ldapPort: null, ldapsPort: dc.port, timeoutMs: PEER_DEADLINE_MS });
      expect(evidence.signing).toBeNull();
      const facts = enforcementFacts(evidence);
      expect(facts.channelBinding).toMatchObject({ tested: true, port: dc.port, setting: expected });
      expect(facts.channelBinding.reason).toMatch(reason);
      expect(dc.seen).toHaveLength(binds);
      for (const s of dc.seen) {
        expect(s.names).toEqual(["NTLM", ""]);
        expect(s.user).toMatch(/^ldaps-audit-probe-[0-9a-f]{12}$/);
        expect(s.domain).toBe("CORP");
        expect(s.lmZero).toBe(true);
      }
      expect(dc.seen[0].cbt).toBeNull();
      if (binds === 2) expect(dc.seen[1].cbt).toHaveLength(16);
      expect(new Set(dc.seen.map((s) => s.user)).size).toBe(binds); // a new throw-away name each time
    } finally {
      await dc.close();
    }
  });

  test("probe host:PORT --enforcement asks that port, not 389/636 of the same machine (an AD LDS instance on its own port)", async () => {
    const dc = await fakeDc(cert, 2);
    try {
      const { snapshot } = await probeHost({ host: "127.0.0.1", port: dc.port }, { enforcement: true, timeoutMs: PEER_DEADLINE_MS });
      const evidence = snapshot.network!.enforcement!;
      expect(evidence.channelBinding?.port).toBe(dc.port);
      expect(evidence.signing).toBeNull(); // its plain LDAP port is not known: not checked rather than 389's answer
      const facts = enforcementFacts(evidence);
      expect(facts.channelBinding).toMatchObject({ tested: true, port: dc.port, setting: "always" });
      expect(facts.signing).toMatchObject({ tested: false, port: null, required: null });
      expect(facts.signing.reason).toMatch(/^not checked: the port probed is not AD DS's own \(389, 636, 3268, 3269\)/);
      expect(dc.seen).toHaveLength(1);
    } finally {
      await dc.close();
    }
  });

  test.each([
    [[636, 3269, 389], 389, 636],
    [[636], 389, 636],
    [[3269], 389, 636],
    [[50636], null, 50636],
    [[50636, 50000], null, 50636],
  ])("enforcement ports for probed ports %j: signing on %s, channel binding on %s", (ports, ldapPort, ldapsPort) => {
    expect(enforcementPorts(ports)).toEqual({ ldapPort, ldapsPort });
  });

  test("a server's diagnostic message reaches the probe's text escaped (no forged line, no raw controls)", async () => {
    const dc = await fakeDc(cert, 0, `80090308: comment: AcceptSecurityContext error, data 52e\n${MARK}\x1b[2J\u202e`);
    try {
      const evidence = await probeEnforcement({ host: "127.0.0.1", ldapPort: null, ldapsPort: dc.port, timeoutMs: PEER_DEADLINE_MS });
      const text = renderProbeText([{ schemaVersion: 1, collector: { name: "ldaps-audit-probe" }, host: { fqdn: "dc1.corp.example.test" }, network: { endpoints: [], enforcement: evidence } }]);
      expect(text).toMatch(/LDAPS channel binding on \d+: never checked/);
      expectTerminalSafe(text);
    } finally {
      await dc.close();
    }
  });
});
