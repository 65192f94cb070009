// Finding the domain controllers of a domain the way Windows clients do: DNS SRV records
// _ldap._tcp.dc._msdcs.<domain> (MS-ADTS 6.3.2.3), optionally asking a given DNS server.
import { promises as dnsp } from "node:dns";
import { InputError } from "../errors";
import { compareText } from "../text-order";

export interface DiscoveredDc {
  host: string;
  port: number;
  priority: number;
  weight: number;
}

export async function discoverByDns(domain: string, dnsServers?: string[]): Promise<DiscoveredDc[]> {
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.?$/.test(domain)) throw new InputError(`--domain ${JSON.stringify(domain)}: expected a DNS domain name like example.test`);
  const resolver = new dnsp.Resolver({ timeout: 3000, tries: 2 });
  if (dnsServers?.length) {
    try {
      resolver.setServers(dnsServers);
    } catch (e) {
      throw new InputError(`--dns-server: ${(e as Error).message}`);
    }
  }
  const name = `_ldap._tcp.dc._msdcs.${domain.replace(/\.$/, "")}`;
  let records;
  try {
    records = await resolver.resolveSrv(name);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    throw new InputError(`--domain ${domain}: no domain controllers found: SRV lookup of ${name} failed (${code || (e as Error).message})`);
  }
  const seen = new Set<string>();
  return records
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight || compareText(a.name, b.name))
    .map((r) => ({ host: r.name.replace(/\.$/, "").toLowerCase(), port: r.port, priority: r.priority, weight: r.weight }))
    .filter((r) => (seen.has(r.host) ? false : (seen.add(r.host), true)));
}
