// A real Samba Active Directory DC on loopback (DESIGN §6): provisioned into a temp dir with our own
// certificate, serving 389/636/3268/3269 on 127.0.0.1 and ::1. Samba's LDAP ports are fixed, so only one
// such DC can run at a time in a network namespace: suites that start one take turns (a lock file per
// namespace), so jest's parallel workers do not collide on the ports.
import { ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { findExecutable } from "../../helpers/peers";
import { killGroup, trackPeer, waitForPort } from "./net";
import { connect } from "node:net";

export const SAMBA_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];
export const sambaPaths = () => ({ samba: findExecutable("samba", SAMBA_DIRS), tool: findExecutable("samba-tool", SAMBA_DIRS) });
export const SAMBA_PORTS = [389, 636, 3268, 3269];
export const SAMBA_ADMIN_PASSWORD = "Probe-Test-Passw0rd!";
export const SAMBA_FQDN = "dc1.example.test";
export const SAMBA_UPN = "Administrator@example.test";

function portBusy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export interface SambaDc {
  dir: string;
  /** Stop, install this certificate + key, start again. */
  swapCertificate(certFile: string, keyFile: string): Promise<void>;
  /** Stop, set these smb.conf [global] options (replacing the ones set before), start again. */
  setOptions(options: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Hang guard for waiting on another suite's DC (the suites that use one take a minute or two each). */
const LOCK_WAIT_MS = 540_000;

/**
 * Wait until no other process of this network namespace runs a Samba DC, then hold the turn (a lock file with
 * our pid, taken over when its holder is gone). Returns the release function.
 */
async function sambaTurn(): Promise<() => void> {
  let ns = "default";
  try {
    ns = readlinkSync("/proc/self/ns/net").replace(/\D/g, "");
  } catch {
    /* not Linux: one namespace */
  }
  const path = join(tmpdir(), `ldaps-audit-samba-${ns}.lock`);
  const giveUp = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => rmSync(path, { force: true });
      process.once("exit", release);
      return () => {
        process.removeListener("exit", release);
        release();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, "utf8"));
    } catch {
      continue; // released meanwhile
    }
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = holder !== process.pid;
    } catch {
      alive = false;
    }
    if (!alive && Number.isInteger(holder) && holder > 0) {
      rmSync(path, { force: true }); // its holder is gone (a crashed suite)
      continue;
    }
    if (Date.now() > giveUp) throw new Error(`another test process (pid ${holder}) has held the Samba DC turn for ${LOCK_WAIT_MS} ms (${path})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function startSambaDc(certFile: string, keyFile: string): Promise<SambaDc> {
  const { samba, tool } = sambaPaths();
  if (!samba || !tool) throw new Error("samba / samba-tool not installed");
  const release = await sambaTurn();
  try {
    return await startSambaDcHolding(samba, tool, certFile, keyFile, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function startSambaDcHolding(samba: string, tool: string, certFile: string, keyFile: string, release: () => void): Promise<SambaDc> {
  for (const p of SAMBA_PORTS) {
    if (await portBusy(p)) throw new Error(`127.0.0.1:${p} is already in use; the Samba DC test needs the standard LDAP ports`);
  }
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-samba-"));
  const t = join(dir, "t");
  const cert = join(dir, "tls-cert.pem");
  const key = join(dir, "tls-key.pem");
  const install = (c: string, k: string) => {
    copyFileSync(c, cert);
    copyFileSync(k, key);
    chmodSync(key, 0o600); // Samba refuses a key file others can read
  };
  install(certFile, keyFile);
  const opt = (o: string) => `--option=${o}`;
  await promisify(execFile)(tool, [
    "domain", "provision", "--use-rfc2307", "--realm=EXAMPLE.TEST", "--domain=EXAMPLE", "--server-role=dc", "--dns-backend=NONE",
    `--adminpass=${SAMBA_ADMIN_PASSWORD}`, `--targetdir=${t}`, "--host-name=dc1",
    opt("interfaces=lo"), opt("bind interfaces only=yes"), opt(`pid directory=${t}/pid`), opt(`log file=${t}/log.%m`),
    opt(`winbindd socket directory=${t}/wb`), opt(`ntp signd socket directory=${t}/ntp`),
    opt("server services=-s3fs -nbt -wrepl -dnsupdate -ntp_signd -winbindd -dns"),
    opt("tls enabled=yes"), opt(`tls keyfile=${key}`), opt(`tls certfile=${cert}`), opt("tls cafile="),
  ], { timeout: 600_000 });
  const conf = join(t, "etc", "smb.conf");
  let child: ChildProcess | null = null;
  let log = "";
  const start = async () => {
    log = "";
    child = spawn(samba, ["-i", "-s", conf], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    trackPeer(child);
    child.stdout?.on("data", (d) => (log += d));
    child.stderr?.on("data", (d) => (log += d));
    let exited = false;
    child.once("exit", () => (exited = true));
    try {
      for (const p of [636, 3269, 389]) await waitForPort(p, 300_000, () => exited);
    } catch (e) {
      await stopProcess();
      throw new Error(`samba did not start (${(e as Error).message}): ${log.slice(-2000)}`);
    }
  };
  const stopProcess = async () => {
    if (child) await killGroup(child, 5000);
    child = null;
    // Wait until the ports are free again (a restart must not race the old listeners).
    for (let i = 0; i < 50 && (await portBusy(636)); i++) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    swapCertificate: async (c, k) => {
      await stopProcess();
      install(c, k);
      await start();
    },
    setOptions: async (options) => {
      await stopProcess();
      const MARK = "# ldaps-audit test options";
      const base = readFileSync(conf, "utf8").replace(new RegExp(`${MARK}[\\s\\S]*?${MARK} end\\n`), "");
      const block = `${MARK}\n${Object.entries(options).map(([k, v]) => `\t${k} = ${v}\n`).join("")}${MARK} end\n`;
      writeFileSync(conf, base.replace(/^\[global\]\n/m, (g) => g + block));
      await start();
    },
    stop: async () => {
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
      release();
    },
  };
}

/** Reads a file (for tests comparing PEMs). */
export const read = (p: string) => readFileSync(p, "utf8");
export const write = writeFileSync;
