import type { PetitionRecord, SignatureRecord } from './model';

/** The band label for signers who attached no value for an attribute. */
export const NOT_STATED = '(not stated)';

/** One attribute band in published results; `null` marks a suppressed figure. */
export interface BandResult {
  readonly attribute: string;
  readonly band: string;
  /** Signatures in the band, or `null` when suppressed (fewer than k, or to stop subtraction). */
  readonly count: number | null;
  /** The band's signatures per option, or `null` when any cell would single out fewer than k. */
  readonly byOption: Readonly<Record<string, number>> | null;
}

/** Published results of a petition or poll: exact totals, and bands under the k rule. */
export interface Tally {
  readonly total: number;
  readonly counts: Readonly<Record<string, number>>;
  /** For a petition, whether `total` reached the threshold; `null` for a poll. */
  readonly thresholdReached: boolean | null;
  readonly k: number;
  readonly bands: readonly BandResult[];
}

/**
 * Raw counts of signatures, before the k rule: the total, per option, and per attribute band per
 * option (`bands[attribute][band][option]`, where a signer who attached no value for an attribute
 * counts under {@link NOT_STATED}). Counts of disjoint sets of signatures add up ({@link addCounts}),
 * which is how `ClosePetition` builds the final tally over several transactions.
 */
export interface RawCounts {
  readonly total: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly bands: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>;
}

/**
 * Raw counts of no signatures: every option and band of the petition at zero.
 *
 * @param petition - the petition (options, attribute bands)
 */
export function emptyCounts(petition: Pick<PetitionRecord, 'options' | 'attributes'>): RawCounts {
  const zero = (): Record<string, number> => Object.fromEntries(petition.options.map((o) => [o, 0]));
  const bands = Object.fromEntries(
    Object.entries(petition.attributes).map(([attribute, values]) => [attribute, Object.fromEntries([...values, NOT_STATED].map((band) => [band, zero()]))]),
  );
  return { total: 0, counts: zero(), bands };
}

/**
 * Add signatures to raw counts (a new object; the inputs are not changed).
 *
 * @param base - counts so far, from {@link emptyCounts} or earlier calls
 * @param signatures - further signatures, none of them already in `base`
 */
export function addCounts(base: RawCounts, signatures: readonly Pick<SignatureRecord, 'option' | 'attributes'>[]): RawCounts {
  const counts: Record<string, number> = { ...base.counts };
  const bands: Record<string, Record<string, Record<string, number>>> = Object.fromEntries(
    Object.entries(base.bands).map(([attribute, byBand]) => [
      attribute,
      Object.fromEntries(Object.entries(byBand).map(([band, byOption]) => [band, { ...byOption }])),
    ]),
  );
  for (const s of signatures) {
    counts[s.option] = (counts[s.option] ?? 0) + 1;
    for (const [attribute, byBand] of Object.entries(bands)) {
      const band = s.attributes[attribute] ?? NOT_STATED;
      const byOption = (byBand[band] ??= {});
      byOption[s.option] = (byOption[s.option] ?? 0) + 1;
    }
  }
  return { total: base.total + signatures.length, counts, bands };
}

/**
 * Count signatures per option and per attribute band.
 *
 * Small groups cannot be singled out: a band's count is published only when it holds at least
 * `k` signatures (zero is published: it singles out nobody), and its split by option only when
 * every option cell of the band holds zero or at least `k`. Because the bands of an attribute sum
 * to the public total (and the splits to the public per-option counts), a lone suppressed figure
 * could be recovered by subtraction, so the smallest published figure of the same attribute is
 * suppressed with it (complementary suppression, as statistical offices do for tables).
 *
 * @param petition - the petition (options, attribute bands, k, threshold)
 * @param signatures - every recorded signature of the petition
 * @returns the counts; deterministic for the same inputs
 */
export function tally(
  petition: Pick<PetitionRecord, 'options' | 'attributes' | 'k' | 'threshold'>,
  signatures: readonly Pick<SignatureRecord, 'option' | 'attributes'>[],
): Tally {
  return publish(petition, addCounts(emptyCounts(petition), signatures));
}

/**
 * Published results from raw counts, under the k rule described at {@link tally}.
 *
 * @param petition - the petition (options, attribute bands, k, threshold)
 * @param raw - raw counts of every signature of the petition
 */
export function publish(petition: Pick<PetitionRecord, 'options' | 'attributes' | 'k' | 'threshold'>, raw: RawCounts): Tally {
  const counts = Object.fromEntries(petition.options.map((o) => [o, raw.counts[o] ?? 0]));
  const bands = Object.entries(petition.attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([attribute, values]) => attributeBands(attribute, [...values, NOT_STATED], petition, raw.bands[attribute] ?? {}));
  const total = raw.total;
  return { total, counts, thresholdReached: petition.threshold === null ? null : total >= petition.threshold, k: petition.k, bands };
}

function attributeBands(
  attribute: string,
  values: readonly string[],
  petition: Pick<PetitionRecord, 'options' | 'k'>,
  byBand: Readonly<Record<string, Readonly<Record<string, number>>>>,
): BandResult[] {
  const raw = values.map((band) => {
    const byOption = Object.fromEntries(petition.options.map((o) => [o, byBand[band]?.[o] ?? 0]));
    return { band, count: Object.values(byOption).reduce((a, b) => a + b, 0), byOption };
  });
  const small = (n: number): boolean => n > 0 && n < petition.k;
  const countHidden = complement(
    raw.map((b) => b.count),
    raw.map((b) => small(b.count)),
  );
  const splitHidden = complement(
    raw.map((b) => b.count),
    raw.map((b, i) => (countHidden[i] ?? true) || Object.values(b.byOption).some(small)),
  );
  return raw.map((b, i) => ({
    attribute,
    band: b.band,
    count: countHidden[i] === true ? null : b.count,
    byOption: splitHidden[i] === true ? null : b.byOption,
  }));
}

/** Add the smallest non-zero published figure to a lone suppressed one, so that subtraction cannot recover it. */
function complement(sizes: readonly number[], hidden: readonly boolean[]): boolean[] {
  const out = [...hidden];
  if (out.filter(Boolean).length === 1) {
    const candidates = sizes.map((size, i) => ({ size, i })).filter(({ size, i }) => !(out[i] ?? false) && size > 0);
    const smallest = candidates.sort((a, b) => a.size - b.size || a.i - b.i)[0];
    if (smallest !== undefined) {
      out[smallest.i] = true;
    }
  }
  return out;
}
