// The HTML report printed to PDF by a headless Chromium-family browser (Chromium, Chrome, or the Edge
// every Windows Server has), called as a program: no npm package at run time. The page prints with its
// own print stylesheet; its CSP forbids every fetch, and the browser gets a throw-away profile and no
// background networking, so printing needs no network either.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, RuntimeFailure } from "../errors";

/** Environment variable naming the browser to print with (overrides the search). */
export const BROWSER_ENV = "LDAPS_AUDIT_CHROMIUM";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge", "msedge", "chrome"];
const WINDOWS_PATHS = [
  "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
  "C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];

// Generous: a loaded machine must not turn a slow print into a failure; a hung browser still ends.
const PRINT_DEADLINE_MS = 180_000;

/** The browser to print with: $LDAPS_AUDIT_CHROMIUM, else the first known name on PATH, else Edge/Chrome's usual place on Windows. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env[BROWSER_ENV];
  if (named) return existsSync(named) ? named : null;
  const exts = process.platform === "win32" ? ["", ".exe"] : [""];
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const n of NAMES) for (const ext of exts) if (existsSync(join(dir, n + ext))) return join(dir, n + ext);
  }
  if (process.platform === "win32") return WINDOWS_PATHS.find((p) => existsSync(p)) ?? null;
  return null;
}

export function browserMissingMessage(env: NodeJS.ProcessEnv = process.env): string {
  return env[BROWSER_ENV]
    ? `--format pdf: ${BROWSER_ENV}=${env[BROWSER_ENV]} does not exist`
    : `--format pdf needs a headless Chromium, Chrome or Edge and none was found (install chromium, or set ${BROWSER_ENV} to the browser's path); --format html gives the same report, printable from any browser`;
}

/** Print a self-contained HTML page to PDF bytes. */
export function htmlToPdf(html: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const browser = findBrowser(env);
  if (!browser) throw new InputError(browserMissingMessage(env));
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-pdf-"));
  try {
    const page = join(dir, "report.html");
    const pdf = join(dir, "report.pdf");
    writeFileSync(page, html, { mode: 0o600 });
    const args = [
      "--headless",
      "--disable-gpu",
      `--user-data-dir=${join(dir, "profile")}`,
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      // Chromium's sandbox cannot start as root (containers, CI); everywhere else it stays on.
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--no-pdf-header-footer",
      `--print-to-pdf=${pdf}`,
      pathToFileURL(page).href,
    ];
    try {
      execFileSync(browser, args, { stdio: ["ignore", "ignore", "pipe"], timeout: PRINT_DEADLINE_MS, windowsHide: true });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer; signal?: string };
      const why = err.signal ? `stopped after ${PRINT_DEADLINE_MS / 1000} s (${err.signal})` : (err.stderr?.toString("utf8").trim().split("\n").pop() ?? err.message);
      throw new RuntimeFailure(`--format pdf: ${browser} could not print the report: ${why}`);
    }
    if (!existsSync(pdf)) throw new RuntimeFailure(`--format pdf: ${browser} ran but wrote no PDF`);
    const bytes = readFileSync(pdf);
    if (bytes.subarray(0, 5).toString("latin1") !== "%PDF-") throw new RuntimeFailure(`--format pdf: ${browser} wrote something that is not a PDF`);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
