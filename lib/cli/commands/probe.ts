import { statSync } from "node:fs";
import { join } from "node:path";
import { namedPaths, refuseConflictingOutputs } from "../../output/conflicts";
import type { CommandModule } from "yargs";
import type { CommandSpec } from "../fast-path";
import { EXIT, InputError } from "../../errors";
import { stderrLine, stderrProgress } from "../../terminal";

interface ProbeArgs {
  hosts?: string[];
  domain?: string;
  "dns-server"?: string[];
  ports: string;
  ca?: string[];
  "bind-dn"?: string;
  "password-env"?: string;
  concurrency: number;
  timeout: number;
  servername?: string;
  insecure: boolean;
  versions: boolean;
  output?: string;
  format?: "json" | "text";
  "export-trust"?: string;
  enforcement: boolean;
  ciphers: boolean;
  "max-cipher-handshakes": number;
  exitCode?: number;
}

function parsePorts(text: string): number[] {
  const ports = text.split(",").map((p) => p.trim()).filter(Boolean).map(Number);
  if (!ports.length || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new InputError(`--ports ${JSON.stringify(text)}: expected a comma-separated list of ports, e.g. 636,3269,389`);
  return [...new Set(ports)];
}

/** probe's arguments as data: its yargs builder declares them, and lib/cli/fast-path.ts reads them. */
export const probeSpec = {
  name: "probe",
  positional: { name: "hosts", spec: { type: "string", array: true, describe: "host or host:port (389/3268 are probed with StartTLS, other ports as LDAPS)" } },
  options: {
    domain: { type: "string", describe: "Probe every DC of this AD domain (DNS SRV _ldap._tcp.dc._msdcs.<domain>, plus OU=Domain Controllers when --bind-dn binds)" },
    "dns-server": { type: "string", array: true, describe: "DNS server(s) for --domain and host names (ip or ip:port)" },
    ports: { type: "string", default: "636,3269,389", describe: "Ports to probe on hosts given without a port" },
    ca: { type: "string", array: true, describe: "Trusted CA certificate file(s), PEM (bundles allowed) or DER; default: Node's root store" },
    "bind-dn": { type: "string", describe: "DN or UPN for a simple bind over TLS (only sent when the chain and name verify, unless --insecure)" },
    "password-env": { type: "string", describe: "Environment variable holding the bind password (never pass it on the command line)" },
    concurrency: { type: "number", default: 32, describe: "Hosts probed at once" },
    timeout: { type: "number", default: 10000, describe: "Deadline per endpoint in ms (DNS + TCP + StartTLS + TLS + LDAP + TLS version probes)" },
    servername: { type: "string", describe: "Name to send as SNI and to check the certificate against (default: the host name); e.g. when probing by IP" },
    insecure: { type: "boolean", default: false, describe: "Bind even when the certificate did not verify (the password may reach an impostor)" },
    versions: { type: "boolean", default: true, describe: "Test TLS 1.0/1.1/1.2/1.3 one by one (--no-versions to skip)" },
    output: { alias: "o", type: "string", describe: "Write the snapshot to this file; with several hosts, an existing directory gets <host>.probe.json per host" },
    format: { choices: ["json", "text"] as const, describe: "Output format (default: text on a terminal, json otherwise)" },
    enforcement: {
      type: "boolean",
      default: false,
      describe:
        "Also check on the wire whether LDAP signing (389) and LDAPS channel binding (636) are enforced, with throw-away binds " +
        "(no credentials; each is a failed logon in the DC's Security log, and the 389 bind is counted as an insecure bind)",
    },
    ciphers: {
      type: "boolean",
      default: false,
      describe:
        "Also list the cipher suites each accepted TLS version takes (offer all, note the server's pick, drop it, repeat: " +
        "accepted + 1 handshakes per version, capped by --max-cipher-handshakes). Suites this Node's OpenSSL cannot offer " +
        "(with Node 20's OpenSSL 3: RC4, DES, 3DES) are reported as untestable, never as refused; SSLv3 is never probed",
    },
    "max-cipher-handshakes": { type: "number", default: 64, describe: "Cap on --ciphers handshakes per endpoint" },
    "export-trust": {
      type: "string",
      describe: "Also write, as a PEM bundle, the CA certificates that verify the presented chains (intermediates, and the root from --ca or the default store); then see `trust`",
    },
  },
  check: (a: ProbeArgs) => {
    if (!a.hosts?.length && !a.domain) throw new InputError("name at least one host, or --domain");
    if (a["bind-dn"] && !a["password-env"]) throw new InputError("--bind-dn needs --password-env (the name of the variable holding the password)");
    if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new InputError("--concurrency must be a positive integer");
    if (a["export-trust"] === "-" && (!a.output || a.output === "-")) throw new InputError("--export-trust -: the snapshots already go to stdout; give the bundle a file name");
    if (!Number.isInteger(a["max-cipher-handshakes"]) || a["max-cipher-handshakes"] < 1 || a["max-cipher-handshakes"] > 1000) throw new InputError("--max-cipher-handshakes must be an integer from 1 to 1000");
    if (a.ciphers && !a.versions) throw new InputError("--ciphers needs the version probe (drop --no-versions)");
    if (!(a.timeout >= 100 && a.timeout <= 600000)) throw new InputError("--timeout must be between 100 and 600000 ms");
    return true;
  },
} satisfies CommandSpec;

export const probeCommand: CommandModule<object, ProbeArgs> = {
  command: "probe [hosts...]",
  describe: "Probe what LDAP clients see: LDAPS 636, GC 3269 and StartTLS 389 (certificate, chain, TLS versions, rootDSE, bind); writes snapshots",
  builder: (y) =>
    y
      .positional(probeSpec.positional.name, probeSpec.positional.spec)
      .options(probeSpec.options)
      .check(probeSpec.check as never)
      .example("$0 probe dc1.example.test --ca root.pem", "LDAPS, GC and StartTLS on one DC, verified against your root")
      .example("$0 probe --domain example.test --bind-dn audit@example.test --password-env LDAP_PW --ca root.pem -o out/", "Every DC of the domain, with a bind; one snapshot per DC")
      .example("$0 probe 10.0.0.5:636 --servername dc1.example.test --format text", "By address, checking the certificate against the DC's name")
      .example("$0 probe dc1.example.test --ca root.pem --export-trust ldaps-ca.pem", "Write the certificates LDAP clients must trust; `$0 trust ldaps-ca.pem --for openldap` says how")
      .example("$0 probe dc1.example.test --ca root.pem --ciphers", "Also list the cipher suites per TLS version (LDAPS-N10..N12 judge them)")
      .example("$0 evaluate dc1.snapshot.json --probe dc1.probe.json", "Then compare what the store predicts with what the wire shows (LDAPS-N03)") as never,
  handler: async (args) => {
    const { probeHosts, parseTarget } = await import("../../probe");
    const { readCaFiles } = await import("../../probe/files");
    const { renderProbeText, endpointHealthy } = await import("../../probe/render");
    const { emit } = await import("../output");
    const { hostFileStems } = await import("../../output/host-file-names");
    const caInputs = namedPaths("--ca", args.ca);
    let credentials: { dn: string; password: string } | undefined;
    if (args["bind-dn"]) {
      const password = process.env[args["password-env"]!];
      if (password === undefined) throw new InputError(`--password-env ${args["password-env"]}: that environment variable is not set`);
      credentials = { dn: args["bind-dn"], password };
    }
    let isDir = false;
    if (args.output && args.output !== "-") {
      try {
        isDir = statSync(args.output).isDirectory();
      } catch {
        isDir = args.output.endsWith("/");
        if (isDir) throw new InputError(`--output ${args.output}: no such directory`);
      }
    }
    // Refused before probing: the output is not a directory, so it must be a file that is not a --ca input.
    const trustOut = namedPaths("--export-trust", args["export-trust"]);
    if (!isDir) refuseConflictingOutputs(caInputs, [...namedPaths("--output", args.output), ...trustOut]);
    else refuseConflictingOutputs(caInputs, trustOut);
    const targets = (args.hosts ?? []).map(parseTarget);
    const ca = args.ca ? readCaFiles(args.ca) : undefined;
    const total = targets.length;
    const progress = total > 3 || args.domain;
    const results = await probeHosts(targets, {
      ports: parsePorts(args.ports),
      ca,
      credentials,
      insecure: args.insecure,
      versions: args.versions,
      enforcement: args.enforcement,
      ciphers: args.ciphers,
      maxCipherHandshakes: args["max-cipher-handshakes"],
      timeoutMs: args.timeout,
      servername: args.servername,
      concurrency: args.concurrency,
      domain: args.domain,
      dnsServers: args["dns-server"],
      onProgress: progress
        ? (done, all, host) => {
            const step = Math.max(1, Math.floor(all / 20));
            if (process.stderr.isTTY) stderrProgress(`probe: ${done}/${all} hosts`, done === all);
            else if (done % step === 0 || done === all) stderrLine(`${done}/${all} hosts (last: ${host})`, "probe: ");
          }
        : undefined,
    });
    const snapshots = results.map((r) => r.snapshot);
    const format = args.format ?? (args.output || !process.stdout.isTTY ? "json" : "text");
    const render = (list: typeof snapshots) => (format === "json" ? JSON.stringify(list.length === 1 ? list[0] : list, null, 2) : renderProbeText(list));
    if (isDir) {
      // Every endpoint probed gets its own file, also when several share a host name (--servername).
      const stems = hostFileStems(snapshots.map((s) => s.host.fqdn));
      const files = stems.map((stem) => join(args.output!, `${stem}.probe.${format === "json" ? "json" : "txt"}`));
      refuseConflictingOutputs(caInputs, [...namedPaths("--output", files), ...trustOut]);
      snapshots.forEach((s, i) => emit(render([s]), files[i]));
      stderrLine(`wrote ${files.length} snapshot file(s) to ${args.output}`);
    } else {
      if (args.output && args.output !== "-" && snapshots.length > 1 && format === "json") {
        throw new InputError(`--output ${args.output}: ${snapshots.length} hosts were probed; give an existing directory to get one snapshot file per host`);
      }
      emit(render(snapshots), args.output);
    }
    let exported = true;
    if (args["export-trust"]) {
      const { exportTrust } = await import("../../trust/export");
      exported = exportTrust(snapshots, args["export-trust"], ca);
    }
    const healthy = snapshots.every((s) => (s.network?.endpoints ?? []).every(endpointHealthy));
    args.exitCode = healthy && exported ? EXIT.compliant : EXIT.nonCompliant;
  },
};
