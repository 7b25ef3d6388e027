import fc from 'fast-check';

/**
 * Hostile transaction arguments for property-based tests: every argument a peer hands the
 * chaincode is a string, so these are strings, many of them JSON texts that a schema must refuse.
 */

/** Number tokens as they appear in JSON text: out of range, negative zero, unsafe integers, and some that are not JSON. */
const NUMBER_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '0', '-1', '1.5', '1e-400', '9007199254740993', '2147483648', '0x10', '1e2'];

/** Strings at the edges: empty, control and format characters, lone surrogates, the composite-key delimiters, prototype names. */
const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000civic.land.parcel\u0000',
  '\u{10ffff}',
  '\uD800',
  '\uDFFF',
  'a\uDC00b\uD83D',
  '\u202E',
  '\uFEFF',
  'é',
  'e\u0301',
  '😀',
  '../../etc/passwd',
  'did:civic:',
  `did:civic:${'A'.repeat(43)}`,
  `did:civic:${'\uD800'.repeat(43)}`,
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  '[]',
  '{}',
  'accepted',
  'revocation',
  'suspension',
  '1',
  '100',
];

/** Property names the contracts' requests use, and the ones that reach an object's prototype. */
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'did',
  'publicKeyJwk',
  'newPublicKeyJwk',
  'kty',
  'crv',
  'x',
  'proof',
  'newKeyProof',
  'sequence',
  'payload',
  'signature',
  'action',
  'channel',
  'nonce',
  'index',
  'purpose',
  'value',
  'status',
  'name',
  'mspId',
  'credentialTypes',
  'type',
  'version',
  'claims',
  'cadastralId',
  'cadastralIds',
  'areaM2',
  'location',
  'coordinates',
  'landUse',
  'owners',
  'share',
  'num',
  'den',
  'deedHash',
  'parcels',
  'children',
  'merged',
  'offerId',
  'encumbranceId',
  'description',
  'consents',
  'filingHash',
  'roundId',
  'title',
  'sites',
  'id',
  'category',
  'quotas',
  'priorityGroups',
  'closes',
  'preferences',
  'group',
  'commitment',
  'site',
  'holder',
  'applicant',
  'evidenceHash',
  'petitionId',
  'proposalId',
  'kind',
  'text',
  'textHash',
  'options',
  'option',
  'eligibility',
  'threshold',
  'publicKey',
  'attributes',
  'k',
  'token',
  'withdraw',
  'maxSignatures',
  'reason',
  'debtId',
  'subject',
  'creditorReference',
  'amountCents',
  'origin',
  'since',
  'record',
  'creditors',
  'expires',
  'counsellor',
  'subjectSalt',
  'planId',
  'capacityCents',
  'consent',
  'amount',
];

/** A JSON text built from raw tokens, so that it can hold what JSON.stringify cannot write (1e309, -0). */
export type JsonTree = { readonly raw: string } | { readonly items: readonly JsonTree[] } | { readonly entries: readonly (readonly [string, JsonTree])[] };

/** Serialise a {@link JsonTree}; duplicate and prototype keys are written as given. */
export function jsonText(tree: JsonTree): string {
  if ('raw' in tree) {
    return tree.raw;
  }
  if ('items' in tree) {
    return `[${tree.items.map(jsonText).join(',')}]`;
  }
  return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
}

/** A JSON value as a {@link JsonTree}, numbers and strings written as JSON.stringify writes them. */
export function jsonTree(value: unknown): JsonTree {
  if (Array.isArray(value)) {
    return { items: value.map(jsonTree) };
  }
  if (typeof value === 'object' && value !== null) {
    return { entries: Object.entries(value).map(([k, v]) => [k, jsonTree(v)] as const) };
  }
  return { raw: JSON.stringify(value) };
}

/** Property names: the contracts' own and the prototype's, or short random ones. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));

/** Hostile text for a string value: edge cases, any code units (lone surrogates included), or the world's own ids. */
function hostileText(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...EDGE_STRINGS, ...known), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 12 }));
}

/** JSON nested thousands deep: arrays, objects, and objects under a prototype key. */
const deepJson: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1_000, max: 20_000 }),
    fc.constantFrom<[string, string, string]>(['[', '0', ']'], ['{"payload":', '1', '}'], ['{"__proto__":', '{}', '}']),
  )
  .map(([n, [open, inner, close]]) => `${open.repeat(n)}${inner}${close.repeat(n)}`);

/**
 * Hostile JSON values: edge-case strings and numbers (1e309, -0, unsafe integers), wrong types,
 * and arrays and objects of them with prototype keys.
 *
 * @param known - real values of the world under test (DIDs, ids), so that some requests get past "not found"
 */
export function hostileTree(known: readonly string[]): fc.Arbitrary<JsonTree> {
  const leaf: fc.Arbitrary<JsonTree> = fc.oneof(
    { arbitrary: hostileText(known).map((s) => ({ raw: JSON.stringify(s) })), weight: 8 },
    { arbitrary: fc.constantFrom(...NUMBER_TOKENS.filter((t) => !/^[A-Za-z]|^-I|^0x/.test(t)), 'true', 'false', 'null').map((raw) => ({ raw })), weight: 6 },
    { arbitrary: fc.integer().map((n) => ({ raw: String(n) })), weight: 3 },
    { arbitrary: deepJson.map((raw) => ({ raw })), weight: 1 },
  );
  const { tree } = fc.letrec<{ tree: JsonTree; items: JsonTree; entries: JsonTree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, leaf, tie('items'), tie('entries')),
    items: fc.array(tie('tree'), { maxLength: 4 }).map((items) => ({ items })),
    entries: fc.array(fc.tuple(hostileKey, tie('tree')), { maxLength: 8 }).map((entries) => ({ entries })),
  }));
  return tree;
}

/**
 * Hostile strings for a transaction argument or transient field: JSON texts of {@link hostileTree},
 * plain edge-case text, number tokens, JSON nested thousands deep, and strings of 70k to 300k units.
 *
 * @param known - real values of the world under test (DIDs, ids)
 */
export function hostileArgument(known: readonly string[]): fc.Arbitrary<string> {
  const text = hostileText(known);
  const tree = hostileTree(known);
  const oversized = fc.tuple(fc.constantFrom('a', '\uD800', '{', '"', 'é'), fc.integer({ min: 70_000, max: 300_000 })).map(([c, n]) => c.repeat(n));
  return fc.oneof(
    { arbitrary: tree.map(jsonText), weight: 6 },
    { arbitrary: text, weight: 2 },
    { arbitrary: fc.constantFrom(...NUMBER_TOKENS), weight: 1 },
    { arbitrary: deepJson, weight: 1 },
    { arbitrary: oversized, weight: 1 },
  );
}
