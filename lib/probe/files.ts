// Reading --ca files: PEM (one or many certificates) or DER, returned as PEM for node:tls.
import { X509Certificate } from "node:crypto";
import { InputError } from "../errors";
import { readInputFile } from "../input";

export function readCaFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const bytes = readInputFile(p, 16 * 1024 * 1024);
    const text = bytes.toString("latin1");
    if (text.includes("-----BEGIN CERTIFICATE-----")) {
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      for (const b of blocks) {
        try {
          new X509Certificate(b);
        } catch (e) {
          throw new InputError(`--ca ${p}: a PEM block is not a certificate: ${(e as Error).message}`);
        }
        out.push(b + "\n");
      }
      continue;
    }
    try {
      out.push(new X509Certificate(bytes).toString());
    } catch {
      throw new InputError(`--ca ${p}: neither PEM certificates nor a DER certificate`);
    }
  }
  return out;
}
