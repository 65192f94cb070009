// GeneralName (RFC 5280 4.2.1.6) read from DER exactly as encoded, for name constraints: an iPAddress
// keeps its octets (4 or 16 in a SAN, 8 or 32 in a constraint), a directoryName its RDNs normalized for
// comparison. The display strings in CertificateInfo.san stay as they are; this is the checking view.
import { children, context, DerError, oidText, readOnly, readTlv, TAG, Tlv } from "./der";

export type GeneralName =
  | { form: "dns" | "email" | "uri"; text: string }
  | { form: "ip"; octets: Buffer }
  | { form: "dirName"; rdns: string[] }
  | { form: "otherName"; typeId: string }
  | { form: "x400" | "ediParty" | "registeredID" };

const STRING_TAGS: Record<number, BufferEncoding | "bmp"> = {
  0x0c: "utf8", // UTF8String
  0x13: "latin1", // PrintableString
  0x14: "latin1", // TeletexString (T.61; latin1 is how every validator reads it in practice)
  0x16: "latin1", // IA5String
  0x1e: "bmp", // BMPString
};

function decodeString(t: Tlv): string | null {
  const enc = STRING_TAGS[t.tag];
  if (!enc) return null;
  if (enc === "bmp") {
    if (t.value.length % 2) throw new DerError("odd-length BMPString");
    return Buffer.from(t.value).swap16().toString("utf16le");
  }
  return t.value.toString(enc);
}

/** RFC 4518-style comparison form of an attribute value: case folded, inner whitespace collapsed. */
const normalizeValue = (s: string) => s.normalize("NFKC").toLowerCase().trim().replace(/\s+/g, " ");

/**
 * The RDNs of a DER Name, each as "oid=value" strings (multi-valued RDNs sorted, joined by "+"), ready
 * for prefix comparison. Values that are not strings compare by their exact encoding.
 */
export function nameRdns(nameDer: Buffer): string[] {
  const seq = readOnly(nameDer, TAG.SEQUENCE, "Name");
  return children(seq.value).map((set) => {
    if (set.tag !== 0x31) throw new DerError("Name: RDN is not a SET");
    const atvs = children(set.value).map((atv) => {
      if (atv.tag !== TAG.SEQUENCE) throw new DerError("Name: attribute is not a SEQUENCE");
      const [type, value, ...rest] = children(atv.value);
      if (!type || type.tag !== TAG.OID || !value || rest.length) throw new DerError("Name: malformed attribute");
      const text = decodeString(value);
      return `${oidText(type.value)}=${text === null ? `#${value.value.toString("hex")}` : normalizeValue(text)}`;
    });
    if (atvs.length === 0) throw new DerError("Name: empty RDN");
    return atvs.sort().join("+");
  });
}

function ia5(t: Tlv, what: string): string {
  // IA5String is 7-bit; a byte above 0x7f is a malformed name, not a Unicode one.
  if (t.value.some((b) => b > 0x7f)) throw new DerError(`${what} is not IA5 (ASCII)`);
  return t.value.toString("latin1");
}

/** One GeneralName from its context-tagged element. */
export function readGeneralName(t: Tlv): GeneralName {
  switch (t.tag) {
    case context(0, true): {
      const [typeId, value, ...rest] = children(t.value);
      if (!typeId || typeId.tag !== TAG.OID || !value || value.tag !== context(0, true) || rest.length) throw new DerError("malformed otherName");
      return { form: "otherName", typeId: oidText(typeId.value) };
    }
    case context(1, false):
      return { form: "email", text: ia5(t, "rfc822Name") };
    case context(2, false):
      return { form: "dns", text: ia5(t, "dNSName") };
    case context(3, true):
      return { form: "x400" };
    case context(4, true): {
      const inner = readTlv(t.value, 0);
      if (inner.end !== t.value.length) throw new DerError("directoryName: trailing bytes");
      return { form: "dirName", rdns: nameRdns(t.value) };
    }
    case context(5, true):
      return { form: "ediParty" };
    case context(6, false):
      return { form: "uri", text: ia5(t, "uniformResourceIdentifier") };
    case context(7, false):
      return { form: "ip", octets: Buffer.from(t.value) };
    case context(8, false):
      return { form: "registeredID" };
    default:
      throw new DerError(`unknown GeneralName tag 0x${t.tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (a SAN extension's value). */
export function readGeneralNames(extnValue: Buffer, what: string): GeneralName[] {
  const seq = readOnly(extnValue, TAG.SEQUENCE, what);
  const names = children(seq.value).map(readGeneralName);
  if (names.length === 0) throw new DerError(`${what} is empty`);
  return names;
}
