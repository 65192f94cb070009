// Turning the many ways a certificate arrives (base64 in JSON, PEM, DER) into DER bytes.

export class EncodingError extends Error {}

/** Strict base64: whitespace allowed, anything else that is not base64 is an error. */
export function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new EncodingError(`${what} is not valid base64`);
  }
  return Buffer.from(compact, "base64");
}

export interface PemBlock {
  label: string;
  der: Buffer;
  /** The block as it stood in the file, BEGIN and END lines included. */
  text: string;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in a text, in order. Text outside blocks is ignored (openssl writes "Bag Attributes" there). */
export function parsePem(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const body = m[2].replace(/^[A-Za-z-]+:.*$/gm, ""); // drop RFC 1421 headers such as Proc-Type
    blocks.push({ label: m[1], der: decodeBase64(body, `${what}: PEM block "${m[1]}"`), text: m[0] });
  }
  return blocks;
}

export function looksLikePem(data: Buffer): boolean {
  return data.subarray(0, 4096).toString("latin1").includes("-----BEGIN ");
}
