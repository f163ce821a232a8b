/**
 * Kubernetes resource quantities ("100m", "1.5", "512Mi", "10Gi", "1G") as numbers, for the plan's footprint
 * and for validating tenant specs. Throws on anything Kubernetes would reject, naming the value.
 */

/** Kubernetes' grammar without the sign (negative requests are meaningless): number, then a suffix or an exponent. */
const pattern = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?[0-9]+))?$/;

const multipliers: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity in base units (cores for CPU, bytes for memory and storage). */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === "number") {
    if (!Number.isFinite(quantity) || quantity < 0) throw new Error(`invalid quantity ${quantity}`);
    return quantity;
  }
  const match = pattern.exec(quantity.trim());
  if (!match) throw new Error(`invalid quantity "${quantity}": expected a number with an optional suffix such as 100m, 512Mi or 2Gi`);
  const exponent = match[3] === undefined ? 1 : 10 ** Number(match[3]);
  return Number(match[1]) * multipliers[match[2] ?? ""] * exponent;
}

export const isQuantity = (quantity: string): boolean => pattern.test(quantity.trim());

export const cpuMillicores = (quantity: string | number) => Math.round(parseQuantity(quantity) * 1000);
export const memoryMiB = (quantity: string | number) => parseQuantity(quantity) / 2 ** 20;
export const storageGiB = (quantity: string | number) => parseQuantity(quantity) / 2 ** 30;
