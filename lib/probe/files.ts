// Reading --ca files: PEM (one or many certificates) or DER, returned as PEM for node:tls. The files are
// read like every other certificate file (lib/import/files.ts): a truncated or garbled file is an input
// error, never silently fewer trusted roots.
import { X509Certificate } from "node:crypto";
import { InputError } from "../errors";
import { readMaterial } from "../import/files";

export function readCaFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let certificates: Buffer[];
    try {
      certificates = readMaterial(p, undefined).certificates;
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`--ca ${e.message}`);
      throw e;
    }
    if (certificates.length === 0) throw new InputError(`--ca ${p}: holds no certificate`);
    certificates.forEach((der, i) => {
      try {
        out.push(new X509Certificate(der).toString());
      } catch (e) {
        throw new InputError(`--ca ${p}: certificate ${i + 1} is not one node:tls can use: ${(e as Error).message}`);
      }
    });
  }
  return out;
}
