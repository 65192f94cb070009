// The real headless Chromium the HTML report tests drive (playwright-core), and the peer checks they
// share: the report tests need openssl (test certificates) and chromium, and skip loudly without them.
import { existsSync } from "node:fs";
import { hasCommand, requirePeer } from "./peers";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** No network chatter from the browser itself: the tests count every request the page makes. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** `describe` when openssl and chromium are there; `describe.skip` (with a printed reason, or a failure under CI) otherwise. */
export function describeWithChromium(): jest.Describe {
  const hasOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "install the openssl package");
  const hasChromium = requirePeer("chromium", existsSync(CHROMIUM), "apt-get install chromium (Debian package, /usr/bin/chromium)");
  return hasOpenssl && hasChromium ? describe : describe.skip;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page = any;

/** What a page did, recorded from before it loads: every request, response and failure, dialogs (dismissed), CSP reports. */
export function watchPage(page: Page) {
  const seen = { requests: [] as string[], responses: [] as string[], failed: [] as Array<{ url: string; error: string }>, dialogs: [] as string[], cspViolations: [] as string[] };
  page.on("request", (r: { url(): string }) => seen.requests.push(r.url()));
  page.on("response", (r: { url(): string }) => seen.responses.push(r.url()));
  page.on("requestfailed", (r: { url(): string; failure(): { errorText: string } | null }) => seen.failed.push({ url: r.url(), error: r.failure()?.errorText ?? "" }));
  page.on("dialog", async (dlg: { message(): string; dismiss(): Promise<void> }) => {
    seen.dialogs.push(dlg.message());
    await dlg.dismiss();
  });
  page.on("console", (m: { text(): string }) => {
    if (/Content Security Policy/i.test(m.text())) seen.cspViolations.push(m.text());
  });
  return seen;
}
