// A strict DER reader for the few structures read byte by byte (GeneralNames, NameConstraints, AIA, AKI):
// their exact octets matter (an iPAddress of the wrong length, an empty SEQUENCE), which a schema
// decoder that converts values hides. Every length is checked against its parent; nothing is guessed.

export class DerError extends Error {}

export interface Tlv {
  /** The identifier octet: class (bits 8-7), constructed (bit 6), tag number (bits 5-1). */
  tag: number;
  /** The contents octets. */
  value: Buffer;
  /** Offsets of the whole element (identifier octet to last contents octet) in the buffer it was read from. */
  start: number;
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Context-specific tag [n], primitive or constructed. */
export const context = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

/** An element's framing as readHeader gives it: offsets into the buffer read. */
export interface TlvHeader {
  tag: number;
  valueStart: number;
  end: number;
}

/**
 * The framing of the element at `offset` of `buf`, which must end by `limit` (its container's end), with
 * every check readTlv makes: readTlv(buf.subarray(a, limit), offset - a) in offsets of `buf`, without
 * making a Buffer of its contents (a walk over every element of a certificate makes ~100 of them).
 * The answer is `into`, overwritten (pass a fresh object to keep one).
 */
export function readHeader(buf: Buffer, offset: number, limit: number, into: TlvHeader): TlvHeader {
  if (offset + 2 > limit) throw new DerError("truncated element");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not used in certificates");
  let len = buf[offset + 1];
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new DerError("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    if (len < 0x80 || buf[start] === 0) throw new DerError("length not in shortest form");
    start += n;
  }
  if (start + len > limit) throw new DerError("element runs past its container");
  into.tag = tag;
  into.valueStart = start;
  into.end = start + len;
  return into;
}

export function readTlv(buf: Buffer, offset: number): Tlv {
  const h = readHeader(buf, offset, buf.length, { tag: 0, valueStart: 0, end: 0 });
  return { tag: h.tag, value: buf.subarray(h.valueStart, h.end), start: offset, end: h.end };
}

/** The elements inside a constructed value, in order. */
export function children(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < value.length) {
    const t = readTlv(value, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** Exactly one element filling `buf`, with the expected tag. */
export function readOnly(buf: Buffer, tag: number, what: string): Tlv {
  const t = readTlv(buf, 0);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  if (t.end !== buf.length) throw new DerError(`${what}: trailing bytes`);
  return t;
}

/** The fields of a certificate's TBSCertificate, from the version (when present) to the extensions. */
export function tbsFields(certDer: Buffer): { fields: Tlv[]; tbs: Buffer; at: (name: "serial" | "signature" | "issuer" | "validity" | "subject" | "spki") => Tlv | undefined } {
  const tbsTlv = children(readOnly(certDer, TAG.SEQUENCE, "Certificate").value)[0];
  if (!tbsTlv || tbsTlv.tag !== TAG.SEQUENCE) throw new DerError("Certificate: no TBSCertificate");
  const fields = children(tbsTlv.value);
  const skip = fields[0]?.tag === context(0, true) ? 1 : 0;
  const order = ["serial", "signature", "issuer", "validity", "subject", "spki"];
  return { fields, tbs: tbsTlv.value, at: (name) => fields[skip + order.indexOf(name)] };
}

/** Dotted text of an OBJECT IDENTIFIER's contents. */
export function oidText(value: Buffer): string {
  if (value.length === 0 || value[value.length - 1] & 0x80) throw new DerError("malformed OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(n);
      n = 0;
    }
  }
  const first = arcs[0] < 80 ? Math.floor(arcs[0] / 40) : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join(".");
}

/**
 * Dotted text of an OBJECT IDENTIFIER's contents, exactly as asn1js (the reference certificate parse,
 * lib/x509/certificate-reference.ts) writes it, so OIDs read here compare equal to the ones it gave:
 * subidentifiers of up to 8 octets as numbers (summed as a double, as asn1js does), longer ones as
 * {hex}; an empty OID is "". Throws when the last subidentifier is incomplete (X.690 8.19.2).
 */
export function dottedOid(v: Buffer): string {
  if (v.length > 0 && v[v.length - 1] & 0x80) throw new DerError("OBJECT IDENTIFIER ends inside a subidentifier");
  let out = "";
  let start = 0;
  let first = true;
  for (let i = 0; i < v.length; i++) {
    if (v[i] & 0x80) continue;
    const len = i - start + 1;
    if (len <= 8) {
      let n = 0;
      for (let k = len - 1; k >= 0; k--) n += (v[i - k] & 0x7f) * Math.pow(2, 7 * k);
      const part = !first ? String(n) : n <= 39 ? `0.${n}` : n <= 79 ? `1.${n - 40}` : `2.${n - 80}`;
      out = first ? part : `${out}.${part}`;
    } else {
      let hex = "";
      for (let k = start; k <= i; k++) hex += (v[k] & 0x7f).toString(16).padStart(2, "0");
      out = first ? `2.{{${hex}} - 80}` : `${out}.{${hex}}`;
    }
    first = false;
    start = i + 1;
  }
  return out;
}
