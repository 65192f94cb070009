// Enforcement facts from raw answers (lib/facts/enforcement.ts): a table of what a DC (or something else) may
// answer, and the verdict each gives. Only answers shaped like Active Directory's decide; the rest is null.
import { enforcementFacts } from "../../lib/facts/enforcement";
import type { BindAnswer } from "../../lib/snapshot";

const ad = (data: string, hresult = "80090308"): BindAnswer => ({ resultCode: 49, diagnosticMessage: `${hresult}: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data ${data}, v4563`, error: null });
const code = (resultCode: number, diagnosticMessage = ""): BindAnswer => ({ resultCode, diagnosticMessage, error: null });
const none = (error: string): BindAnswer => ({ resultCode: null, diagnosticMessage: null, error });

test.each<[string, BindAnswer, boolean | null, RegExp]>([
  ["strongerAuthRequired (AD: 00002028 ... integrity checking)", code(8, "00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563"), true, /strongerAuthRequired \(8\).*refused/],
  ["invalidCredentials 52e: the credentials were checked", ad("52e"), false, /checked the credentials/],
  ["success (a server that lets anyone bind)", code(0), false, /checked the credentials/],
  ["unwillingToPerform: not a signing answer", code(53, "simple binds disabled"), null, /could not tell: .*unwillingToPerform \(53\)/],
  ["connection refused", none("refused at tcp: connection refused"), null, /could not tell: .*connection refused/],
])("signing: %s", (_name, answer, required, reason) => {
  const f = enforcementFacts({ signing: { port: 389, answer }, channelBinding: null });
  expect(f.signing).toMatchObject({ tested: true, port: 389, required });
  expect(f.signing.reason).toMatch(reason);
  expect(f.channelBinding).toMatchObject({ tested: false, setting: null });
});

test.each<[string, BindAnswer, BindAnswer | null, "always" | "when-supported" | "never" | null, RegExp]>([
  ["80090346 without a token: always", ad("80090346", "80090346"), null, "always", /SEC_E_BAD_BINDINGS/],
  ["52e without, 80090346 with a wrong token: when supported", ad("52e"), ad("80090346", "80090346"), "when-supported", /wrong token was refused/],
  ["52e without and with a wrong token: never", ad("52e"), ad("52e"), "never", /not refused either/],
  ["guest-like success without, 52e with a wrong token: never", code(0), ad("52e"), "never", /not refused either/],
  ["52e without, the wrong-token bind broke: cannot tell never from when supported", ad("52e"), none("reset at tls: the connection was reset"), null, /cannot be told apart/],
  ["invalidCredentials without AD's data (not AD): could not tell", code(49, "invalid credentials"), null, null, /did not answer the NTLM bind the way an Active Directory DC does/],
  ["authMethodNotSupported (not AD): could not tell", code(7, "Sicily not supported"), null, null, /authMethodNotSupported \(7\)/],
  ["Samba drops the connection: could not tell", none("the server closed the connection without answering the bind"), null, null, /closed the connection/],
])("channel binding: %s", (_name, withoutToken, wrongToken, setting, reason) => {
  const f = enforcementFacts({ signing: null, channelBinding: { port: 636, withoutToken, wrongToken } });
  expect(f.channelBinding).toMatchObject({ tested: true, port: 636, setting });
  expect(f.channelBinding.reason).toMatch(reason);
  // --enforcement ran, but not on AD DS's ports (e.g. probe host:50636): not checked, and why.
  expect(f.signing).toMatchObject({ tested: false, required: null, reason: expect.stringMatching(/^not checked: the port probed is not AD DS's own/) });
});

test("no enforcement evidence at all: neither tested", () => {
  expect(enforcementFacts(undefined)).toEqual({
    signing: { tested: false, port: null, required: null, resultCode: null, reason: "not checked (probe --enforcement)" },
    channelBinding: { tested: false, port: null, setting: null, reason: "not checked (probe --enforcement)" },
  });
});
