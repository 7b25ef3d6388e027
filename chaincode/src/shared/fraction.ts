import { z } from 'zod';

/** The largest denominator a stored share may have: shares are exact to one millionth. */
export const SHARE_DENOMINATOR_MAX = 1_000_000;

/**
 * Exact fractions for ownership shares (no floating point): `{ num, den }` with
 * 0 < num ≤ den, den ≤ 1,000,000, always stored reduced. Arithmetic uses BigInt.
 */
export const fractionSchema = z
  .object({
    num: z.number().int().positive(),
    den: z.number().int().positive().max(SHARE_DENOMINATOR_MAX),
  })
  .strict()
  .refine((f) => f.num <= f.den, 'a share cannot exceed the whole (num must be ≤ den)');
export type Fraction = z.infer<typeof fractionSchema>;

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

function reduce(num: bigint, den: bigint): { num: bigint; den: bigint } {
  const g = gcd(num < 0n ? -num : num, den);
  return { num: num / g, den: den / g };
}

function toNumber(f: { num: bigint; den: bigint }): Fraction {
  return { num: Number(f.num), den: Number(f.den) };
}

/** a + b, reduced. */
export function add(a: Fraction, b: Fraction): Fraction {
  return toNumber(reduce(BigInt(a.num) * BigInt(b.den) + BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den)));
}

/** a − b, reduced; may be zero (num 0) or negative (num < 0). */
export function subtract(a: Fraction, b: Fraction): { num: number; den: number } {
  return toNumber(reduce(BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den)));
}

/** −1, 0 or 1 as a < b, a = b, a > b. */
export function compare(a: Fraction, b: Fraction): number {
  const d = BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** Whether fractions sum to exactly one. */
export function sumsToOne(parts: readonly Fraction[]): boolean {
  let num = 0n;
  let den = 1n;
  for (const p of parts) {
    ({ num, den } = reduce(num * BigInt(p.den) + BigInt(p.num) * den, den * BigInt(p.den)));
  }
  return num === den;
}

/** The reduced form of a fraction. */
export function reduced(f: Fraction): Fraction {
  return toNumber(reduce(BigInt(f.num), BigInt(f.den)));
}

/** A fraction as people write it, e.g. `1/3`. */
export function fractionText(f: { num: number; den: number }): string {
  return `${String(f.num)}/${String(f.den)}`;
}
