// On-the-wire enforcement against a real Samba AD DC (Samba 4.17, Debian 12), through each value of
// `ldap server require strong auth`: the signing check tells "required" (allow_sasl_over_tls, yes) from "not
// required" (no) by a simple bind with a throw-away name on 389. Samba 4.17 has no Sicily (NTLM) binds and no
// LDAPS channel-binding enforcement, so the channel-binding check must say "could not tell", never a setting.
import { Pki } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { probeEnforcement } from "../../lib/probe/enforcement";
import { enforcementFacts } from "../../lib/facts/enforcement";
import { run } from "../trust/helpers";
import { sambaPaths, startSambaDc, SambaDc, SAMBA_FQDN } from "./helpers/samba";

const paths = sambaPaths();
const haveSamba = requirePeer("samba AD DC", Boolean(paths.samba && paths.tool) && process.getuid?.() === 0, "apt-get install samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind (and run as root)");
const d = haveSamba ? describe : describe.skip;

d("enforcement on the wire against a Samba AD DC", () => {
  let pki: Pki;
  let dc: SambaDc | undefined;

  beforeAll(async () => {
    pki = new Pki();
    const root = pki.issue("root", { cn: "Enforcement Root", ca: true });
    const leaf = pki.issue("dc1", { cn: SAMBA_FQDN, san: `DNS:${SAMBA_FQDN},IP:127.0.0.1`, eku: "serverAuth" }, root);
    dc = await startSambaDc(leaf.certPath, leaf.keyPath);
  });
  afterAll(async () => {
    await dc?.stop();
    pki?.cleanup();
  });

  const check = () => probeEnforcement({ host: "127.0.0.1", servername: SAMBA_FQDN, timeoutMs: PEER_DEADLINE_MS });

  test.each([
    ["yes", true, /strongerAuthRequired \(8\).*BindSimple: Transport encryption required/],
    ["allow_sasl_over_tls", true, /strongerAuthRequired \(8\)/],
    ["no", false, /invalidCredentials \(49\)/],
  ])("ldap server require strong auth = %s: signing required on the wire = %s", async (setting, required, reason) => {
    await dc!.setOptions({ "ldap server require strong auth": setting });
    const evidence = await check();
    const facts = enforcementFacts(evidence);
    expect(facts.signing).toMatchObject({ tested: true, required });
    expect(facts.signing.reason).toMatch(reason);
    // Samba speaks no Sicily NTLM: the channel-binding check answers "unknown", with the server's own answer.
    // Samba 4.17 cannot decode the Sicily bind choice and drops the connection.
    expect(evidence.channelBinding?.withoutToken).toEqual({ resultCode: null, diagnosticMessage: null, error: "the server closed the connection without answering the bind" });
    expect(evidence.channelBinding?.wrongToken).toBeNull();
    expect(facts.channelBinding).toMatchObject({ tested: true, setting: null });
    expect(facts.channelBinding.reason).toMatch(/did not answer the NTLM bind the way an Active Directory DC does/);
  });

  test("probe --enforcement puts the evidence in the snapshot and says it in text", async () => {
    await dc!.setOptions({ "ldap server require strong auth": "yes" });
    const r = await run(["probe", "127.0.0.1:636", "--servername", SAMBA_FQDN, "--insecure", "--no-versions", "--enforcement", "--format", "text", "--timeout", String(PEER_DEADLINE_MS)]);
    expect(r.stdout).toMatch(/LDAP signing on 389: REQUIRED/);
    expect(r.stdout).toMatch(/channel binding on 636: could not tell/);
    const j = await run(["probe", "127.0.0.1:636", "--servername", SAMBA_FQDN, "--no-versions", "--enforcement", "--format", "json", "--timeout", String(PEER_DEADLINE_MS)]);
    const snap = JSON.parse(j.stdout);
    expect(snap.network.enforcement.signing).toMatchObject({ port: 389, answer: { resultCode: 8 } });
  });
});
