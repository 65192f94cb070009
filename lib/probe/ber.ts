// The two LDAP messages the probe speaks itself: the StartTLS extended request (RFC 4511 4.14) and the
// extended response that answers it. Everything else goes through ldapts once TLS is up.

export const STARTTLS_OID = "1.3.6.1.4.1.1466.20037";
export const NOTICE_OF_DISCONNECTION_OID = "1.3.6.1.4.1.1466.20036";

import { MAX_STARTTLS_RESPONSE } from "../limits";
export { MAX_STARTTLS_RESPONSE };

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(value.length), value]);
}

/** LDAPMessage { messageID, ExtendedRequest [APPLICATION 23] { requestName [0] STARTTLS_OID } }. */
export function startTlsRequest(messageId = 1): Buffer {
  const id = tlv(0x02, Buffer.from([messageId & 0x7f]));
  const op = tlv(0x77, tlv(0x80, Buffer.from(STARTTLS_OID, "latin1")));
  return tlv(0x30, Buffer.concat([id, op]));
}

export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One BER TLV at `offset`; null when the buffer does not hold all of it yet; throws on nonsense. */
export function readTlv(buf: Buffer, offset: number): Tlv | null {
  if (offset + 2 > buf.length) return null;
  const tag = buf[offset];
  let l = buf[offset + 1];
  let start = offset + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n === 0 || n > 4) throw new Error(`unsupported BER length form (0x${l.toString(16)})`);
    if (start + n > buf.length) return null;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + buf[start + i];
    start += n;
  }
  if (start + l > buf.length) return null;
  return { tag, start, end: start + l };
}

export interface ExtendedResponse {
  messageId: number;
  resultCode: number;
  matchedDN: string;
  diagnosticMessage: string;
  responseName: string | null;
}

export class BerError extends Error {}

/** The fields every LDAPResult carries, located in the first complete LDAP message of `buf`. */
interface ResultFrame {
  messageId: number;
  op: Tlv;
  resultCode: number;
  dn: Tlv;
  diag: Tlv;
  /** Where the message ends (the next one starts). */
  end: number;
}

/**
 * The first complete LDAP message in `buf`, read as an LDAPResult: null while incomplete (up to `maxBytes`);
 * BerError when the bytes are not an LDAP message, the message is not one `opError` accepts (it returns why
 * not, or null), or the result is malformed (`what` names it in the message).
 */
function parseResultFrame(buf: Buffer, maxBytes: number, tooLong: string, what: string, opError: (tag: number | undefined) => string | null): ResultFrame | null {
  if (buf.length === 0) return null;
  if (buf[0] !== 0x30) throw new BerError(`the server did not answer with an LDAP message (first byte 0x${buf[0].toString(16).padStart(2, "0")})`);
  let msg: Tlv | null;
  try {
    msg = readTlv(buf, 0);
  } catch (e) {
    throw new BerError((e as Error).message);
  }
  if (!msg) {
    if (buf.length > maxBytes) throw new BerError(tooLong);
    return null;
  }
  try {
    const id = readTlv(buf, msg.start);
    if (!id || id.tag !== 0x02) throw new Error("no message id");
    let messageId = 0;
    for (let i = id.start; i < id.end; i++) messageId = messageId * 256 + buf[i];
    const op = readTlv(buf, id.end);
    const wrongOp = opError(op?.tag);
    if (!op || wrongOp) throw new Error(wrongOp ?? "no protocol op");
    const code = readTlv(buf, op.start);
    if (!code || code.tag !== 0x0a) throw new Error("no result code");
    let resultCode = 0;
    for (let i = code.start; i < code.end; i++) resultCode = resultCode * 256 + buf[i];
    const dn = readTlv(buf, code.end);
    if (!dn || dn.tag !== 0x04) throw new Error("no matchedDN");
    const diag = readTlv(buf, dn.end);
    if (!diag || diag.tag !== 0x04) throw new Error("no diagnosticMessage");
    return { messageId, op, resultCode, dn, diag, end: msg.end };
  } catch (e) {
    throw new BerError(`malformed ${what}: ${(e as Error).message}`);
  }
}

/**
 * Parse the server's answer to StartTLS from the bytes received so far.
 * Returns null while incomplete; throws BerError when the bytes are not an LDAP extended response.
 */
export function parseExtendedResponse(buf: Buffer): ExtendedResponse | null {
  const what = "LDAP extended response";
  const f = parseResultFrame(buf, MAX_STARTTLS_RESPONSE, `the answer to StartTLS exceeds ${MAX_STARTTLS_RESPONSE} bytes`, what, (tag) =>
    tag === 0x78 ? null : `expected an extended response (tag 0x78), got tag 0x${tag?.toString(16) ?? "?"}`,
  );
  if (!f) return null;
  let responseName: string | null = null;
  try {
    let at = f.diag.end;
    while (at < f.op.end) {
      const t = readTlv(buf, at);
      if (!t) break;
      if (t.tag === 0x8a) responseName = buf.subarray(t.start, t.end).toString("latin1");
      at = t.end;
    }
  } catch (e) {
    throw new BerError(`malformed ${what}: ${(e as Error).message}`);
  }
  return {
    messageId: f.messageId,
    resultCode: f.resultCode,
    matchedDN: buf.subarray(f.dn.start, f.dn.end).toString("utf8"),
    diagnosticMessage: buf.subarray(f.diag.start, f.diag.end).toString("utf8"),
    responseName,
  };
}

/** RFC 4511 result code names, for messages. */
export const RESULT_CODES: Record<number, string> = {
  0: "success", 1: "operationsError", 2: "protocolError", 3: "timeLimitExceeded", 7: "authMethodNotSupported",
  8: "strongerAuthRequired", 12: "unavailableCriticalExtension", 13: "confidentialityRequired", 32: "noSuchObject",
  48: "inappropriateAuthentication", 49: "invalidCredentials", 50: "insufficientAccessRights", 51: "busy",
  52: "unavailable", 53: "unwillingToPerform", 80: "other",
};

// --- Bind requests for the enforcement checks (lib/probe/enforcement.ts) ---------------------------------

function integer(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/**
 * LDAPMessage { messageID, BindRequest [APPLICATION 0] { version 3, name, authentication } }. `auth.tag` is the
 * context tag of the AuthenticationChoice: 0x80 simple, 0x89 sicilyPackageDiscovery, 0x8a sicilyNegotiate,
 * 0x8b sicilyResponse (MS-ADTS 5.1.1.1.3; Sicily is Active Directory's NTLM bind).
 */
export function bindRequest(messageId: number, name: string, auth: { tag: number; value: Buffer }): Buffer {
  const op = tlv(0x60, Buffer.concat([integer(3), tlv(0x04, Buffer.from(name, "utf8")), tlv(auth.tag, auth.value)]));
  return tlv(0x30, Buffer.concat([integer(messageId), op]));
}

/** LDAPMessage { messageID, UnbindRequest [APPLICATION 2] NULL }. */
export function unbindRequest(messageId: number): Buffer {
  return tlv(0x30, Buffer.concat([integer(messageId), Buffer.from([0x42, 0x00])]));
}

export interface LdapResultMessage {
  messageId: number;
  /** The protocol op's tag (0x61 BindResponse, 0x78 ExtendedResponse). */
  op: number;
  resultCode: number;
  /** As bytes: a Sicily negotiate answer carries the NTLM CHALLENGE message here. */
  matchedDN: Buffer;
  diagnosticMessage: string;
}

/**
 * The first complete LDAP message in `buf` whose op is an LDAPResult (bind, extended or any other response):
 * null while incomplete; throws BerError on bytes that are not one.
 */
export function parseLdapResult(buf: Buffer, maxBytes = MAX_STARTTLS_RESPONSE): { message: LdapResultMessage; length: number } | null {
  const f = parseResultFrame(buf, maxBytes, `the answer exceeds ${maxBytes} bytes`, "LDAP response", (tag) =>
    tag !== undefined && (tag & 0xe0) === 0x60 ? null : `expected a response op, got tag 0x${tag?.toString(16) ?? "?"}`,
  );
  if (!f) return null;
  return {
    message: { messageId: f.messageId, op: f.op.tag, resultCode: f.resultCode, matchedDN: Buffer.from(buf.subarray(f.dn.start, f.dn.end)), diagnosticMessage: buf.subarray(f.diag.start, f.diag.end).toString("utf8") },
    length: f.end,
  };
}
