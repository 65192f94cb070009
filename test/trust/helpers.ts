// Real LDAP clients for the trust kit tests: OpenLDAP's ldapsearch and Debian's python3-ldap, each run with a
// clean environment (HOME in a temp dir so no ~/.ldaprc, no LDAPTLS_* from the caller) and certificates demanded.
import { spawnSync } from "node:child_process";
import { main } from "../../lib/cli/main";
import { hasCommand } from "../helpers/peers";

export const PYTHON = "/usr/bin/python3";
export const havePythonLdap = (): boolean => hasCommand(PYTHON, ["-c", "import ldap"]);
export const haveLdapsearch = (): boolean => hasCommand("ldapsearch", ["-VV"]);

export interface ClientRun {
  ok: boolean;
  code: number | null;
  output: string;
}

/** The caller's environment minus anything that would configure libldap behind the test's back. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^LDAP/.test(k)) env[k] = v;
  return { ...env, HOME: home, LDAPTLS_REQCERT: "demand", LDAPRC: `${home}/no-ldaprc`, ...extra };
}

/** Anonymous rootDSE read over LDAPS with ldapsearch. */
export function ldapsearch(url: string, env: Record<string, string>): ClientRun {
  const r = spawnSync("ldapsearch", ["-H", url, "-x", "-b", "", "-s", "base", "-o", "nettimeout=20", "(objectClass=*)", "namingContexts"], { env, cwd: env.HOME, encoding: "utf8", timeout: 60000 });
  return { ok: r.status === 0, code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A python-ldap program (stdin), exit 0 = it printed the rootDSE. */
export function python(program: string, env: Record<string, string>): ClientRun {
  const r = spawnSync(PYTHON, ["-"], { input: program, env, cwd: env.HOME, encoding: "utf8", timeout: 60000 });
  return { ok: r.status === 0, code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The CLI in-process, with stdout and stderr captured. */
export async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
