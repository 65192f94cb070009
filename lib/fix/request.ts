// The certreq request file for a certificate from an external CA (KB321051's request.inf, with the SAN the
// DC needs). The names were checked as DNS names by the caller: nothing from evidence reaches this file
// unchecked, so a host name cannot add a section or a key to it.

/** A certreq .inf: machine key (readable by SYSTEM), Server Authentication, SAN dNSName entries. */
export function certreqInf(fqdn: string, names: string[]): string {
  const san = [...new Set(names.map((n) => n.toLowerCase()))];
  return [
    "; ldaps-audit fix --request: an LDAPS certificate request for an external CA (KB321051)",
    `; on ${fqdn}: certreq -new -machine <this file> <host>.csr, send the CSR to the CA, then certreq -accept -machine <answer>`,
    "[Version]",
    'Signature="$Windows NT$"',
    "",
    "[NewRequest]",
    `Subject = "CN=${fqdn}"`,
    "KeySpec = 1",
    "KeyLength = 2048",
    "Exportable = FALSE",
    "MachineKeySet = TRUE",
    "SMIME = FALSE",
    "PrivateKeyArchive = FALSE",
    "UserProtected = FALSE",
    "UseExistingKeySet = FALSE",
    'ProviderName = "Microsoft RSA SChannel Cryptographic Provider"',
    "ProviderType = 12",
    "RequestType = PKCS10",
    "KeyUsage = 0xa0",
    "",
    "[EnhancedKeyUsageExtension]",
    "OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication",
    "",
    "[Extensions]",
    "; Subject Alternative Name: the DC's FQDN first",
    '2.5.29.17 = "{text}"',
    ...san.map((n) => `_continue_ = "dns=${n}&"`),
    "",
  ].join("\r\n");
}
