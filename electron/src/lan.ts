// The address teammates use: the first private IPv4 address of this machine, from the
// interface list main.ts passes in (os.networkInterfaces()).

export interface InterfaceAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

function isPrivateV4(a: string): boolean {
  return /^10\./.test(a) || /^192\.168\./.test(a) || /^172\.(1[6-9]|2\d|3[01])\./.test(a);
}

/** Non-internal IPv4 addresses, private ranges first (a VPN or public address last). */
export function lanAddresses(interfaces: Record<string, InterfaceAddress[] | undefined>): string[] {
  const all: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) {
      if (i.internal || !(i.family === 'IPv4' || i.family === 4)) continue;
      if (i.address.startsWith('169.254.')) continue; // link-local: nobody else can reach it reliably
      if (!all.includes(i.address)) all.push(i.address);
    }
  }
  return [...all.filter(isPrivateV4), ...all.filter((a) => !isPrivateV4(a))];
}

/** http://ADDR:PORT/ for teammates, or null when the server listens on loopback only. */
export function lanUrl(host: string | null, port: number, addresses: string[]): string | null {
  if (host !== null && host !== '0.0.0.0' && host !== '::') {
    if (host === '127.0.0.1' || host === 'localhost' || host === '::1') return null;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  }
  const first = addresses[0];
  return first ? `http://${first}:${port}/` : null;
}
