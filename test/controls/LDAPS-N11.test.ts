// Test table for LDAPS-N11: schemas/controls/LDAPS-N11.json. Run by the shared tester (test/controls/tester.ts).
// Facts come from lib/facts/tlsSurface.ts over small snapshots (./surface-evidence.ts).
import { testControl } from "./tester";
import { ldapsEndpoint, MODERN, surface } from "./surface-evidence";

const server = (name: string, values: { Enabled?: number | null; DisabledByDefault?: number | null }) => ({ protocols: { [name]: values } });

testControl("LDAPS-N11", {
  valid: [
    { name: "the healthy DC accepts TLS 1.2 on the wire", facts: {}, message: /wire: TLS 1.2 accepted/ },
    { name: "registry: no TLS 1.2 values on Windows Server 2022: the default (on)", facts: surface({ schannel: { protocols: {} } }), message: /build 20348 default \(on\)/ },
    { name: "registry Enabled=0xFFFFFFFF (read as -1 or 4294967295) is on", facts: surface({ schannel: server("TLS 1.2", { Enabled: 4294967295, DisabledByDefault: 0 }) }) },
    { name: "neither evidence: skip", facts: { tlsSurface: null }, status: "skip" },
    { name: "registry without values on an unknown build, no probe: skip", facts: surface({ schannel: { protocols: {} }, osVersion: "" }), status: "skip" },
  ],
  invalid: [
    { name: "registry TLS 1.2 Server Enabled=0", facts: surface({ schannel: server("TLS 1.2", { Enabled: 0 }) }), message: /TLS 1.2\\Server Enabled=0: off/ },
    { name: "registry DisabledByDefault=1 (Enabled=1 does not rescue it)", facts: surface({ schannel: server("TLS 1.2", { Enabled: 1, DisabledByDefault: 1 }) }), message: /DisabledByDefault=1/ },
    { name: "the registry key name is matched without case (tls 1.2)", facts: surface({ schannel: server("tls 1.2", { Enabled: 0 }) }) },
    { name: "wire: TLS 1.2 refused on LDAPS (registry silent)", facts: surface({ endpoints: [ldapsEndpoint({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": false, "TLSv1.3": true })] }), message: /wire: TLS 1.2 refused/ },
    { name: "wire: 636 accepts TLS 1.2 but the GC port 3269 refuses it", facts: surface({ endpoints: [ldapsEndpoint(MODERN), ldapsEndpoint({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": false, "TLSv1.3": true }, undefined, 3269)] }), message: /wire: TLS 1.2 refused/ },
    { name: "registry says off, the wire still accepts (restart pending): off after the restart", facts: surface({ schannel: server("TLS 1.2", { Enabled: 0 }), endpoints: [ldapsEndpoint(MODERN)] }), message: /Enabled=0: off; wire: TLS 1.2 accepted/ },
  ],
});
