// Reading --ca files: PEM (one or many certificates) or DER, returned as PEM for node:tls. A truncated or
// garbled file is an input error, never silently fewer trusted roots.
//
// The common case (a PEM bundle of certificates, or one DER certificate) is read with the PEM reader and
// node:crypto only: the CA set goes to node:tls, so node's own X.509 parser is the judge of whether a root is
// usable. Anything else (keys, PFX, unreadable blocks, a file too large) goes through the preflight reader
// (lib/import/files.ts), which gives the same input errors as every other certificate file but loads
// @peculiar/x509: issue 17 measured that load at ~150 ms of a `probe` run's start.
import { X509Certificate } from "node:crypto";
import { InputError } from "../errors";
import { readInputFile } from "../input";
import { MAX_CERTIFICATE_FILE_BYTES } from "../limits";
import { looksLikePem, parsePem } from "../x509/encoding";

const CERTIFICATE_LABELS = new Set(["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"]);

/** The file's certificates as node:tls PEM, or null when the file is not plainly certificates node can read. */
function plainCertificates(path: string): string[] | null {
  let data: Buffer;
  try {
    data = readInputFile(path, MAX_CERTIFICATE_FILE_BYTES);
  } catch {
    return null;
  }
  const ders: Buffer[] = [];
  if (looksLikePem(data)) {
    let blocks;
    try {
      blocks = parsePem(data.toString("latin1"), path);
    } catch {
      return null;
    }
    if (blocks.length === 0 || blocks.some((b) => !CERTIFICATE_LABELS.has(b.label))) return null;
    ders.push(...blocks.map((b) => b.der));
  } else {
    ders.push(data);
  }
  try {
    return ders.map((der) => new X509Certificate(der).toString());
  } catch {
    return null;
  }
}

/** Every certificate in the file the slow way, with the preflight reader's input errors. */
function checkedCertificates(p: string): string[] {
  const { readMaterial } = require("../import/files") as typeof import("../import/files");
  let certificates: Buffer[];
  try {
    certificates = readMaterial(p, undefined).certificates;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`--ca ${e.message}`);
    throw e;
  }
  if (certificates.length === 0) throw new InputError(`--ca ${p}: holds no certificate`);
  return certificates.map((der, i) => {
    try {
      return new X509Certificate(der).toString();
    } catch (e) {
      throw new InputError(`--ca ${p}: certificate ${i + 1} is not one node:tls can use: ${(e as Error).message}`);
    }
  });
}

export function readCaFiles(paths: string[]): string[] {
  return paths.flatMap((p) => plainCertificates(p) ?? checkedCertificates(p));
}
