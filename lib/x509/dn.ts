// Distinguished names as text: the strings the audit shows and compares (subject, issuer, a SAN
// directoryName), formatted straight from DER the way @peculiar/x509's Name.toString wrote them before
// (lib/x509/certificate-reference.ts), so snapshots, reports and chain building see the same strings:
// RDNs joined by ", ", multi-valued RDNs by "+", short names for 12 attribute types (else the dotted OID),
// RFC 4514-style escaping, and values that are no directory string as "#" and the hex of their DER.
// test/x509-der-differential.test.ts proves the strings equal on every certificate it reads.
import { children, DerError, dottedOid, type Tlv } from "./der";

/** The attribute types written by short name (the reference's list, in its words). */
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.4": "SN",
  "2.5.4.12": "T",
};
const CN_OID = "2.5.4.3";

/** One AttributeTypeAndValue: its type OID (dotted) and value element (whole TLV kept for "#hex"). */
function atv(t: Tlv): { type: string; value: Tlv; valueDer: Buffer } {
  if (t.tag !== 0x30) throw new DerError(`AttributeTypeAndValue: expected tag 0x30, found tag 0x${t.tag.toString(16)}`);
  const parts = children(t.value);
  if (parts.length !== 2 || parts[0].tag !== 0x06) throw new DerError("AttributeTypeAndValue: expected an OBJECT IDENTIFIER and a value");
  const type = dottedOid(parts[0].value);
  return { type, value: parts[1], valueDer: t.value.subarray(parts[1].start, parts[1].end) };
}

/**
 * The text of an attribute value, or null when it is not one of the string types the reference decoded
 * (then it is shown as "#hex"): PrintableString, TeletexString and IA5String octet by octet, UTF8String
 * as UTF-8 (octet by octet when it is not valid UTF-8), BMPString as UTF-16BE code units, and
 * UniversalString as the low 16 bits of each 4-octet character (the reference's reading).
 */
function stringValue(t: Tlv): string | null {
  const v = t.value;
  switch (t.tag) {
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x16: // IA5String
      return v.toString("latin1");
    case 0x0c: // UTF8String
      try {
        return UTF8.decode(v);
      } catch {
        return v.toString("latin1");
      }
    case 0x1e: {
      // BMPString
      let s = "";
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i] << 8) | v[i + 1]);
      return s;
    }
    case 0x1c: {
      // UniversalString
      let s = "";
      for (let i = 0; i + 3 < v.length; i += 4) s += String.fromCharCode((v[i + 2] << 8) | v[i + 3]);
      return s;
    }
    default:
      return null;
  }
}
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Anything one of escape()'s replaces would change: a special character anywhere, a leading space or #, a trailing space, CR, LF or TAB. */
const NEEDS_ESCAPE = /[,+"\\<>;\r\n\t]|^[ #]| $/;

/** RFC 4514 2.4 escaping as the reference applied it (only the first CR, LF or TAB is hex-escaped). */
function escape(data: string): string {
  // Most values need none of the escapes below: one test instead of four replaces (once per attribute of every certificate).
  if (!NEEDS_ESCAPE.test(data)) return data;
  return data
    .replace(/([,+"\\<>;])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/([ ]$)/, "\\$1")
    .replace(/([\r\n\t])/, (c) => `\\${Buffer.from(c, "utf8").toString("hex").toUpperCase()}`);
}

/** A Name (SEQUENCE OF RelativeDistinguishedName) as text. */
export function formatName(name: Tlv): string {
  if (name.tag !== 0x30) throw new DerError(`Name: expected tag 0x30, found tag 0x${name.tag.toString(16)}`);
  const rdns: string[] = [];
  for (const rdn of children(name.value)) {
    if (rdn.tag !== 0x31) throw new DerError(`RelativeDistinguishedName: expected tag 0x31, found tag 0x${rdn.tag.toString(16)}`);
    const parts: string[] = [];
    for (const a of children(rdn.value)) {
      const { type, value, valueDer } = atv(a);
      const short = Object.prototype.hasOwnProperty.call(SHORT_NAMES, type) ? SHORT_NAMES[type] : type;
      const text = stringValue(value);
      parts.push(`${short}=${text === null ? `#${valueDer.toString("hex")}` : escape(text)}`);
    }
    rdns.push(parts.join("+"));
  }
  return rdns.join(", ");
}

/** The subject's commonName values, unescaped (a non-string value as bare hex, as the reference gave it). */
export function commonNamesOf(name: Tlv): string[] {
  const out: string[] = [];
  for (const rdn of children(name.value)) {
    for (const a of children(rdn.value)) {
      const { type, value, valueDer } = atv(a);
      if (type !== CN_OID) continue;
      const text = stringValue(value);
      out.push(text === null ? valueDer.toString("hex") : text);
    }
  }
  return out;
}
