/** IPv4 CIDR arithmetic for config checks: which range a block falls in, whether two blocks overlap. Pure. */

export interface Ipv4Block {
  /** The first address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

/** `a.b.c.d/n` as a block, or undefined when it is not one (octets 0-255 without leading zeros, n 0-32). */
export function parseCidr(text: string): Ipv4Block | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o, i) => o > 255 || match[i + 1] !== String(o)) || prefix > 32) return undefined;
  return { base: octets.reduce((n, o) => n * 256 + o, 0), prefix };
}

/** A block this program writes down itself; a typo in it is a bug, so it throws. */
export function cidrConstant(text: string): Ipv4Block {
  const block = parseCidr(text);
  if (!block) throw new Error(`${text} is not an IPv4 CIDR`);
  return block;
}

const size = (block: Ipv4Block) => 2 ** (32 - block.prefix);

/** Whether the address part has no bits set below the prefix (10.10.0.0/16, not 10.10.1.0/16). */
export const isNetworkAddress = (block: Ipv4Block): boolean => block.base % size(block) === 0;

/** The block's network address, e.g. 10.10.0.0/16 for 10.10.1.0/16. */
export function networkOf(block: Ipv4Block): string {
  const base = block.base - (block.base % size(block));
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join(".")}/${block.prefix}`;
}

/** Whether every address of `inner` lies in `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  const start = outer.base - (outer.base % size(outer));
  return inner.prefix >= outer.prefix && inner.base >= start && inner.base < start + size(outer);
}

/** Whether the two blocks share an address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const wider = a.prefix <= b.prefix ? a : b;
  const narrower = wider === a ? b : a;
  return contains(wider, { base: narrower.base - (narrower.base % size(narrower)), prefix: narrower.prefix });
}

/** The private address ranges of RFC 1918. */
export const rfc1918Ranges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
