// Reading certificates and keys from files for preflight: PEM (any mix of blocks), DER, PFX/PKCS#12.
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate as NodeX509 } from "node:crypto";
// node-forge reads PFX files only; required there, so PEM/DER readers (e.g. probe --ca) do not load it.
import type Forge from "node-forge";
import { InputError } from "../errors";
import { readInputFile } from "../input";
import { MAX_CERTIFICATE_FILE_BYTES } from "../limits";
import { CertificateParseError, parseCertificate } from "../x509/certificate";
import { looksLikePem, parsePem, EncodingError } from "../x509/encoding";

export interface ImportedMaterial {
  certificates: Buffer[];
  keys: KeyObject[];
}

function pfxMaterial(data: Buffer, path: string, password: string | undefined): ImportedMaterial {
  const forge = require("node-forge") as typeof Forge;
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(data.toString("binary")), false, password ?? "");
  } catch (e) {
    const msg = (e as Error).message;
    if (/MAC could not be verified|Invalid password/i.test(msg)) {
      throw new InputError(`${path}: the PFX password is wrong${password === undefined ? " (none given; use --password-env VAR)" : ""}`);
    }
    throw new InputError(`${path}: not a readable PFX/PKCS#12 file (${msg})`);
  }
  const certificates: Buffer[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []) {
    // forge keeps the original TBSCertificate, so re-encoding reproduces the certificate's bytes;
    // certificates with non-RSA keys come back undecoded as ASN.1.
    const asn = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (asn) certificates.push(Buffer.from(forge.asn1.toDer(asn).getBytes(), "binary"));
  }
  const keys: KeyObject[] = [];
  for (const type of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
    for (const bag of p12.getBags({ bagType: type })[type] ?? []) {
      const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
      if (!info) continue;
      try {
        keys.push(createPrivateKey({ key: Buffer.from(forge.asn1.toDer(info).getBytes(), "binary"), format: "der", type: "pkcs8" }));
      } catch (e) {
        throw new InputError(`${path}: the PFX holds a private key that cannot be read (${(e as Error).message})`);
      }
    }
  }
  return { certificates, keys };
}

function privateKeyFromPem(block: string, path: string, password: string | undefined): KeyObject {
  try {
    return createPrivateKey({ key: block, format: "pem", passphrase: password });
  } catch (e) {
    const msg = (e as Error).message;
    if (/bad decrypt|passphrase|interrupted or cancelled/i.test(msg)) {
      throw new InputError(`${path}: the private key is encrypted and the password is ${password === undefined ? "missing (use --password-env VAR)" : "wrong"}`);
    }
    throw new InputError(`${path}: cannot read the private key (${msg})`);
  }
}

/**
 * A certificate from a file must be one the audit can read: a bad one is an input error naming the file
 * and where in it (not, later, a pointer into the snapshot built from it).
 */
function checkedCertificate(der: Buffer, path: string, where: string): Buffer {
  try {
    parseCertificate(der);
  } catch (e) {
    if (e instanceof CertificateParseError) throw new InputError(`${path}: ${where}: ${e.message}`);
    throw e;
  }
  return der;
}

/** Read one file of certificates and/or keys. The format is recognised from the content, not the extension. */
export function readMaterial(path: string, password: string | undefined): ImportedMaterial {
  const material = readMaterialUnchecked(path, password);
  material.certificates.forEach((der, i) => checkedCertificate(der, path, material.certificates.length > 1 ? `certificate ${i + 1} of ${material.certificates.length}` : "the certificate"));
  return material;
}

function readMaterialUnchecked(path: string, password: string | undefined): ImportedMaterial {
  const data = readInputFile(path, MAX_CERTIFICATE_FILE_BYTES);
  if (data.length === 0) throw new InputError(`${path}: file is empty`);
  if (looksLikePem(data)) {
    const text = data.toString("latin1");
    let blocks;
    try {
      blocks = parsePem(text, path);
    } catch (e) {
      if (e instanceof EncodingError) throw new InputError(e.message);
      throw e;
    }
    if (blocks.length === 0) throw new InputError(`${path}: has a "-----BEGIN" line but no complete PEM block`);
    const out: ImportedMaterial = { certificates: [], keys: [] };
    blocks.forEach((b) => {
      if (b.label === "CERTIFICATE" || b.label === "TRUSTED CERTIFICATE" || b.label === "X509 CERTIFICATE") out.certificates.push(b.der);
      else if (/PRIVATE KEY$/.test(b.label)) out.keys.push(privateKeyFromPem(b.text, path, password));
    });
    if (out.certificates.length === 0 && out.keys.length === 0) {
      throw new InputError(`${path}: no CERTIFICATE or PRIVATE KEY block (found ${blocks.map((b) => b.label).join(", ")})`);
    }
    return out;
  }
  // Binary: a DER certificate, a DER private key, or a PFX.
  try {
    new NodeX509(data);
    return { certificates: [data], keys: [] };
  } catch {
    /* not a bare certificate */
  }
  try {
    return { certificates: [], keys: [createPrivateKey({ key: data, format: "der", type: "pkcs8" })] };
  } catch {
    /* not a bare PKCS#8 key */
  }
  if (data[0] === 0x30) return pfxMaterial(data, path, password);
  throw new InputError(`${path}: not a certificate, key or PFX file (expected PEM, DER or PKCS#12)`);
}

/** Does this private key belong to the certificate? (Compares the public halves.) */
export function keyMatchesCertificate(key: KeyObject, der: Buffer): boolean {
  try {
    const fromKey = createPublicKey(key).export({ type: "spki", format: "der" });
    const fromCert = new NodeX509(der).publicKey.export({ type: "spki", format: "der" });
    return Buffer.compare(fromKey, fromCert) === 0;
  } catch {
    return false;
  }
}
