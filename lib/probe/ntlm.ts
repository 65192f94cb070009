// The three NTLM messages (MS-NLMP 2.2.1) that the channel-binding check needs, and nothing more: it never
// authenticates. The AUTHENTICATE message names a throw-away account and carries a random NTProofStr, so no
// password (real or made up) is ever hashed or sent; what the DC answers before it gets to the credentials
// (data 80090346, SEC_E_BAD_BINDINGS) is the evidence.
import { randomBytes } from "node:crypto";

const SIGNATURE = Buffer.from("NTLMSSP\0", "latin1");

// NegotiateFlags (MS-NLMP 2.2.2.5): UNICODE, REQUEST_TARGET, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY,
// TARGET_INFO, 128, 56. No SIGN/SEAL (the check runs inside TLS) and no VERSION (the messages carry none).
export const NEGOTIATE_FLAGS = 0x00000001 | 0x00000004 | 0x00000200 | 0x00008000 | 0x00080000 | 0x00800000 | 0x20000000 | 0x80000000;

export const AV = { EOL: 0, NbComputerName: 1, NbDomainName: 2, DnsComputerName: 3, DnsDomainName: 4, Timestamp: 7, Flags: 6, ChannelBindings: 10 } as const;

export function negotiateMessage(): Buffer {
  const m = Buffer.alloc(32);
  SIGNATURE.copy(m, 0);
  m.writeUInt32LE(1, 8);
  m.writeUInt32LE(NEGOTIATE_FLAGS >>> 0, 12);
  // Domain and workstation fields stay empty (length 0, offset 32).
  m.writeUInt32LE(32, 20);
  m.writeUInt32LE(32, 28);
  return m;
}

export interface AvPair {
  id: number;
  value: Buffer;
}

export interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: AvPair[];
}

export class NtlmError extends Error {}

/** Parse a CHALLENGE message (type 2); throws NtlmError when the bytes are not one. */
export function parseChallenge(buf: Buffer): Challenge {
  if (buf.length < 48 || !buf.subarray(0, 8).equals(SIGNATURE) || buf.readUInt32LE(8) !== 2) throw new NtlmError("not an NTLM CHALLENGE message");
  const flags = buf.readUInt32LE(20);
  const serverChallenge = Buffer.from(buf.subarray(24, 32));
  const len = buf.readUInt16LE(40);
  const off = buf.readUInt32LE(44);
  if (off + len > buf.length) throw new NtlmError("the CHALLENGE message's target information runs past its end");
  const targetInfo: AvPair[] = [];
  let at = off;
  while (at + 4 <= off + len) {
    const id = buf.readUInt16LE(at);
    const l = buf.readUInt16LE(at + 2);
    if (at + 4 + l > off + len) throw new NtlmError("malformed AV pair in the CHALLENGE message");
    if (id === AV.EOL) break;
    targetInfo.push({ id, value: Buffer.from(buf.subarray(at + 4, at + 4 + l)) });
    at += 4 + l;
  }
  return { flags, serverChallenge, targetInfo };
}

function avPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of [...pairs, { id: AV.EOL, value: Buffer.alloc(0) }]) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(p.id, 0);
    h.writeUInt16LE(p.value.length, 2);
    parts.push(h, p.value);
  }
  return Buffer.concat(parts);
}

/** 100-ns intervals since 1601-01-01, little-endian (an NTLMv2 blob's timestamp). */
export function fileTime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.round(ms)) + 11644473600000n) * 10000n);
  return b;
}

export interface AuthenticateOptions {
  user: string;
  domain: string;
  /**
   * MsvAvChannelBindings value: absent = no channel-binding token at all (a client without EPA); a buffer =
   * that hash (16 bytes), which for the check is deliberately not the hash of this TLS channel.
   */
  channelBindings?: Buffer;
  /** Clock for the blob's timestamp when the server sent none (tests inject one). */
  now?: () => number;
}

/**
 * AUTHENTICATE (type 3) with an NTLMv2-shaped response whose NTProofStr is random: the DC rejects it as
 * wrong credentials (data 52e), unless it first rejects the channel bindings (data 80090346).
 */
export function authenticateMessage(challenge: Challenge, o: AuthenticateOptions): Buffer {
  const serverTime = challenge.targetInfo.find((p) => p.id === AV.Timestamp)?.value;
  const pairs = challenge.targetInfo.filter((p) => p.id !== AV.ChannelBindings && p.id !== AV.Flags);
  if (o.channelBindings) pairs.push({ id: AV.ChannelBindings, value: o.channelBindings });
  const blob = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    serverTime && serverTime.length === 8 ? serverTime : fileTime((o.now ?? Date.now)()),
    randomBytes(8),
    Buffer.alloc(4),
    avPairs(pairs),
    Buffer.alloc(4),
  ]);
  const nt = Buffer.concat([randomBytes(16), blob]);
  const lm = Buffer.alloc(24);
  const domain = Buffer.from(o.domain, "utf16le");
  const user = Buffer.from(o.user, "utf16le");
  const workstation = Buffer.alloc(0);
  const sessionKey = Buffer.alloc(0);
  const header = Buffer.alloc(64);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = 64;
  const field = (at: number, data: Buffer) => {
    header.writeUInt16LE(data.length, at);
    header.writeUInt16LE(data.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += data.length;
  };
  const payload = [lm, nt, domain, user, workstation, sessionKey];
  [12, 20, 28, 36, 44, 52].forEach((at, i) => field(at, payload[i]));
  header.writeUInt32LE((challenge.flags & NEGOTIATE_FLAGS) >>> 0, 60);
  return Buffer.concat([header, ...payload]);
}
