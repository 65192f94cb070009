// Object identifiers the audit talks about, with the names admins see in certutil and the MMC.

export const OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const OID_ANY_EKU = "2.5.29.37.0";

export const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "Server Authentication",
  "1.3.6.1.5.5.7.3.2": "Client Authentication",
  "1.3.6.1.5.5.7.3.3": "Code Signing",
  "1.3.6.1.5.5.7.3.4": "Secure Email",
  "1.3.6.1.5.5.7.3.8": "Time Stamping",
  "1.3.6.1.5.5.7.3.9": "OCSP Signing",
  "1.3.6.1.4.1.311.20.2.2": "Smart Card Logon",
  "1.3.6.1.5.2.3.5": "KDC Authentication",
  "1.3.6.1.4.1.311.10.3.4": "Encrypting File System",
  "1.3.6.1.4.1.311.54.1.2": "Remote Desktop Authentication",
  "2.5.29.37.0": "Any Purpose",
};

/**
 * Signature algorithms: OID -> [display name, hash name]. The hash is null only where the algorithm has
 * no separate hash (EdDSA); RSASSA-PSS names its hash in its parameters (lib/x509/certificate.ts reads
 * them), and an OID missing here is hash "unknown": a profile that lists accepted hashes refuses it, one
 * that lists weak hashes does not (which is why the shipped chain control lists the accepted ones).
 */
export const SIGNATURE_ALGORITHMS: Record<string, [string, string | null]> = {
  "1.2.840.113549.1.1.2": ["md2WithRSAEncryption", "MD2"],
  "1.2.840.113549.1.1.3": ["md4WithRSAEncryption", "MD4"],
  // OIW (pre-PKCS #1 v2) names some old CAs still use for the same algorithms.
  "1.3.14.3.2.3": ["md5WithRSA", "MD5"],
  "1.3.14.3.2.29": ["sha1WithRSASignature", "SHA-1"],
  "1.2.840.113549.1.1.4": ["md5WithRSAEncryption", "MD5"],
  "1.2.840.113549.1.1.5": ["sha1WithRSAEncryption", "SHA-1"],
  "1.2.840.113549.1.1.11": ["sha256WithRSAEncryption", "SHA-256"],
  "1.2.840.113549.1.1.12": ["sha384WithRSAEncryption", "SHA-384"],
  "1.2.840.113549.1.1.13": ["sha512WithRSAEncryption", "SHA-512"],
  "1.2.840.113549.1.1.14": ["sha224WithRSAEncryption", "SHA-224"],
  "1.2.840.113549.1.1.10": ["RSASSA-PSS", null],
  "1.2.840.10045.4.1": ["ecdsa-with-SHA1", "SHA-1"],
  "1.2.840.10045.4.3.1": ["ecdsa-with-SHA224", "SHA-224"],
  "1.2.840.10045.4.3.2": ["ecdsa-with-SHA256", "SHA-256"],
  "1.2.840.10045.4.3.3": ["ecdsa-with-SHA384", "SHA-384"],
  "1.2.840.10045.4.3.4": ["ecdsa-with-SHA512", "SHA-512"],
  "1.2.840.10040.4.3": ["dsa-with-SHA1", "SHA-1"],
  "2.16.840.1.101.3.4.3.1": ["dsa-with-SHA224", "SHA-224"],
  "2.16.840.1.101.3.4.3.2": ["dsa-with-SHA256", "SHA-256"],
  "1.3.101.112": ["Ed25519", null],
  "1.3.101.113": ["Ed448", null],
};

export const WEAK_HASHES = new Set(["MD2", "MD4", "MD5", "SHA-1"]);

/** Hash algorithms named in RSASSA-PSS parameters (RFC 4055). */
export const HASH_ALGORITHMS: Record<string, string> = {
  "1.3.14.3.2.26": "SHA-1",
  "2.16.840.1.101.3.4.2.4": "SHA-224",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

export const PUBLIC_KEY_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.1": "RSA",
  "1.2.840.113549.1.1.10": "RSA-PSS",
  "1.2.840.10045.2.1": "EC",
  "1.2.840.10040.4.1": "DSA",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};

export const CURVES: Record<string, [string, number]> = {
  "1.2.840.10045.3.1.1": ["P-192", 192],
  "1.3.132.0.33": ["P-224", 224],
  "1.2.840.10045.3.1.7": ["P-256", 256],
  "1.3.132.0.34": ["P-384", 384],
  "1.3.132.0.35": ["P-521", 521],
  "1.3.132.0.10": ["secp256k1", 256],
};

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}
