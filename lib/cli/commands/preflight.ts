import type { CommandModule } from "yargs";
import { InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { deliver, parseNow, profileInputs, refuseUnsafeOutputs, ReportArgs, withReportOptions } from "../common";

interface PreflightArgs extends ReportArgs {
  certs: string[];
  fqdn: string;
  key?: string[];
  "password-env"?: string;
  roots?: string[];
  store: "ntds" | "my";
}

export const preflightCommand: CommandModule<object, PreflightArgs> = {
  command: "preflight <certs...>",
  describe: "Will this certificate work for LDAPS on that DC? Check PEM/DER/PFX files before importing them",
  builder: (y) =>
    withReportOptions(y)
      .positional("certs", { type: "string", array: true, demandOption: true, describe: "Certificate files: PEM (bundles allowed), DER, or PFX/PKCS#12 (with key)" })
      .option("fqdn", { type: "string", demandOption: true, describe: "The DC's fully qualified DNS name clients connect to" })
      .option("key", { type: "string", array: true, describe: "Private key file(s) (PEM/DER PKCS#8, PKCS#1, SEC1); without a key, key controls are skipped" })
      .option("password-env", { type: "string", describe: "Name of the environment variable holding the PFX or key password (never pass it on the command line)" })
      .option("roots", { type: "string", array: true, describe: "Trusted root certificate file(s) to build the chain against" })
      .option("store", { choices: ["ntds", "my"] as const, default: "my" as const, describe: "Where it will be imported: NTDS\\My or LocalMachine\\My" })
      .example("$0 preflight dc1.pfx --fqdn dc1.example.test --password-env PFX_PASS --roots root.pem", "Check a PFX before importing it on dc1")
      .example("$0 preflight dc1.crt --key dc1.key --fqdn dc1.example.test", "Check a PEM certificate and key") as never,
  handler: async (args) => {
    refuseUnsafeOutputs(args, [...namedPaths("certificate", args.certs), ...namedPaths("--key", args.key), ...namedPaths("--roots", args.roots), ...profileInputs(args)]);
    const { preflight } = await import("../../import/preflight");
    let password: string | undefined;
    if (args["password-env"]) {
      password = process.env[args["password-env"]];
      if (password === undefined) throw new InputError(`--password-env ${args["password-env"]}: that environment variable is not set`);
    }
    const report = preflight({
      fqdn: args.fqdn,
      certificateFiles: args.certs,
      keyFiles: args.key,
      rootFiles: args.roots,
      password,
      store: args.store,
      profile: args.profile,
      waivers: args.waivers,
      now: parseNow(args.now),
    });
    args.exitCode = deliver(report, args);
  },
};
