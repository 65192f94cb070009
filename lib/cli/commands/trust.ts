import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { stderrLine, terminalText } from "../../terminal";

interface TrustArgs {
  bundle: string;
  for: "openldap" | "sssd" | "java" | "python" | "dotnet" | "windows";
  host?: string;
  "install-path"?: string;
  truststore?: string;
  output?: string;
}

export const trustCommand: CommandModule<object, TrustArgs> = {
  command: "trust <bundle>",
  describe: "Print the exact configuration a client needs to trust a bundle written by probe --export-trust",
  builder: (y) =>
    y
      .positional("bundle", { type: "string", demandOption: true, describe: "The PEM bundle (probe --export-trust FILE)" })
      .option("for", { choices: ["openldap", "sssd", "java", "python", "dotnet", "windows"] as const, demandOption: true, describe: "The client to configure" })
      .option("host", { type: "string", describe: "The DC (host or host:port) for the example LDAPS URL; default a placeholder" })
      .option("install-path", { type: "string", describe: "Where the bundle will be on the client machine (default: the bundle's absolute path here)" })
      .option("truststore", { type: "string", describe: "--for java: the PKCS#12 truststore to create (default: the bundle path with .p12)" })
      .option("output", { alias: "o", type: "string", describe: "Write the configuration to this file (atomically) instead of stdout" })
      .example("$0 probe dc1.example.test --ca root.pem --export-trust ldaps-ca.pem", "Export the CA certificates that verify dc1's chain")
      .example("$0 trust ldaps-ca.pem --for openldap --host dc1.example.test", "ldap.conf lines and a check with ldapsearch")
      .example("$0 trust ldaps-ca.pem --for windows --install-path 'C:\\certs\\ldaps-ca.pem'", "PowerShell that installs the roots and intermediates") as never,
  handler: async (args) => {
    const { refuseConflictingOutputs } = await import("../../output/conflicts");
    refuseConflictingOutputs(namedPaths("bundle", args.bundle), namedPaths("--output", args.output));
    const { readMaterial } = await import("../../import/files");
    const { parseCertificate } = await import("../../x509/certificate");
    const { checkedPath, clientKit } = await import("../../trust/clients");
    const { parseTarget } = await import("../../probe");
    const { emit } = await import("../output");
    const material = readMaterial(args.bundle, undefined);
    if (material.keys.length) throw new InputError(`${args.bundle}: holds a private key; a trust bundle must hold certificates only (give clients the CA certificates, never a key)`);
    if (!material.certificates.length) throw new InputError(`${args.bundle}: holds no certificate`);
    const bundlePath = checkedPath(args["install-path"] ?? resolve(args.bundle), args["install-path"] !== undefined ? "--install-path" : "bundle");
    const target = args.host ? parseTarget(args.host) : undefined;
    const kit = clientKit(args.for, {
      bundlePath,
      certificates: material.certificates.map((der) => parseCertificate(der)),
      host: target?.host,
      port: target?.port,
      truststore: args.truststore,
    });
    for (const w of kit.warnings) stderrLine(`warning: ${w}`);
    // The lines are built from quoted values and fixed text; terminalText still makes any leftover control visible.
    emit(terminalText(kit.lines), args.output);
  },
};
