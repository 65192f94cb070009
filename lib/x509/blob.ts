// Parse the registry "Blob" value of a certificate in a service store such as NTDS\My
// (HKLM\SOFTWARE\Microsoft\Cryptography\Services\NTDS\SystemCertificates\My\Certificates\<SHA1>\Blob).
// The value is a run of serialized properties: PropertyID u32 LE | reserved u32 LE | length u32 LE | value.
// Order is not fixed (MS-GPEF 2.2.1.1.1), so every record is read and looked up by id.
// The key provider info (id 2) is CRYPT_KEY_PROV_INFO with pointers stored as u32 offsets from its start,
// the layout Wine documents as store_CRYPT_KEY_PROV_INFO.

export const PROP_KEY_PROV_INFO = 2;
export const PROP_SHA1_HASH = 3;
export const PROP_FRIENDLY_NAME = 11;
export const PROP_CERT = 32;

export interface BlobProperty {
  id: number;
  value: Buffer;
}

export interface KeyProvInfo {
  containerName: string | null;
  providerName: string | null;
  providerType: number;
  flags: number;
  keySpec: number;
  /** CryptoAPI providers have a non-zero type; CNG key storage providers use 0. */
  providerKind: "csp" | "ksp";
}

export interface ParsedBlob {
  properties: BlobProperty[];
  certificate: Buffer | null;
  keyProvInfo: KeyProvInfo | null;
  friendlyName: string | null;
  sha1: string | null;
}

export class BlobError extends Error {}

export function readBlobProperties(blob: Buffer): BlobProperty[] {
  const props: BlobProperty[] = [];
  let off = 0;
  while (off < blob.length) {
    if (blob.length - off < 12) throw new BlobError(`truncated property header at byte ${off}`);
    const id = blob.readUInt32LE(off);
    const length = blob.readUInt32LE(off + 8);
    const start = off + 12;
    if (length > blob.length - start) {
      throw new BlobError(`property ${id} at byte ${off} declares ${length} bytes but only ${blob.length - start} remain`);
    }
    props.push({ id, value: blob.subarray(start, start + length) });
    off = start + length;
  }
  return props;
}

/** Read a NUL-terminated UTF-16LE string at a byte offset; 0 means "no string". */
function utf16At(buf: Buffer, offset: number, what: string): string | null {
  if (offset === 0) return null;
  if (offset >= buf.length) throw new BlobError(`key provider info: ${what} offset ${offset} is outside the ${buf.length}-byte value`);
  let end = offset;
  while (end + 1 < buf.length && !(buf[end] === 0 && buf[end + 1] === 0)) end += 2;
  if (end + 1 >= buf.length) throw new BlobError(`key provider info: ${what} is not NUL-terminated`);
  return buf.subarray(offset, end).toString("utf16le");
}

export function parseKeyProvInfo(value: Buffer): KeyProvInfo {
  if (value.length < 28) throw new BlobError(`key provider info is ${value.length} bytes, expected at least 28`);
  const providerType = value.readUInt32LE(8);
  return {
    containerName: utf16At(value, value.readUInt32LE(0), "container name"),
    providerName: utf16At(value, value.readUInt32LE(4), "provider name"),
    providerType,
    flags: value.readUInt32LE(12),
    keySpec: value.readUInt32LE(24),
    providerKind: providerType === 0 ? "ksp" : "csp",
  };
}

export function parseRegistryBlob(blob: Buffer): ParsedBlob {
  const properties = readBlobProperties(blob);
  const byId = (id: number) => properties.find((p) => p.id === id)?.value ?? null;
  const cert = byId(PROP_CERT);
  const kpi = byId(PROP_KEY_PROV_INFO);
  const fn = byId(PROP_FRIENDLY_NAME);
  const sha1 = byId(PROP_SHA1_HASH);
  return {
    properties,
    certificate: cert ? Buffer.from(cert) : null,
    keyProvInfo: kpi ? parseKeyProvInfo(kpi) : null,
    friendlyName: fn ? fn.toString("utf16le").replace(/\0+$/, "") : null,
    sha1: sha1 ? sha1.toString("hex").toUpperCase() : null,
  };
}

/** The inverse, used to build fixtures shaped like real registry values (and to prove the parser round-trips). */
export function serializeRegistryBlob(props: BlobProperty[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of props) {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(p.id, 0);
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(p.value.length, 8);
    parts.push(head, p.value);
  }
  return Buffer.concat(parts);
}

export function serializeKeyProvInfo(info: { containerName: string; providerName: string; providerType: number; flags?: number; keySpec: number }): Buffer {
  const container = Buffer.from(info.containerName + "\0", "utf16le");
  const provider = Buffer.from(info.providerName + "\0", "utf16le");
  const head = Buffer.alloc(28);
  head.writeUInt32LE(28, 0);
  head.writeUInt32LE(28 + container.length, 4);
  head.writeUInt32LE(info.providerType, 8);
  head.writeUInt32LE(info.flags ?? 0, 12);
  head.writeUInt32LE(0, 16);
  head.writeUInt32LE(0, 20);
  head.writeUInt32LE(info.keySpec, 24);
  return Buffer.concat([head, container, provider]);
}
