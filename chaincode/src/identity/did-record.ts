import { z } from 'zod';
import { didSchema, publicKeyJwkSchema } from './did';

/** Composite-key object type under which DID records are stored. */
export const DID_OBJECT_TYPE = 'civic.identity.did';

const isoTimestamp = z.iso.datetime();

/** One key a DID has been controlled by; `revoked` is set when it was rotated out. */
export const didKeySchema = z
  .object({
    id: z.string().regex(/^key-[1-9][0-9]*$/),
    publicKeyJwk: publicKeyJwkSchema,
    added: isoTimestamp,
    revoked: isoTimestamp.nullable(),
  })
  .strict();
export type DidKey = z.infer<typeof didKeySchema>;

/**
 * A DID as the ledger stores it (the verifiable data registry record). Holds
 * public keys and timestamps only: no personal data.
 */
export const didRecordSchema = z
  .object({
    did: didSchema,
    status: z.enum(['active', 'deactivated']),
    keys: z.array(didKeySchema).min(1),
    /** Number of accepted rotate/deactivate operations; a signed request must quote it. */
    sequence: z.number().int().nonnegative(),
    created: isoTimestamp,
    updated: isoTimestamp,
    /** Transaction that last changed the record (the DID document's versionId). */
    versionTxId: z.string().min(1),
  })
  .strict();
export type DidRecord = z.infer<typeof didRecordSchema>;

/** The key currently controlling a DID (the last one added). */
export function currentKey(record: DidRecord): DidKey {
  const key = record.keys[record.keys.length - 1];
  if (key === undefined) {
    throw new Error(`DID record ${record.did} has no keys`);
  }
  return key;
}

/**
 * The W3C DID Core resolution result for a record: a DID document listing the
 * current key (JsonWebKey2020) for authentication and assertion, and its metadata.
 *
 * @param record - the stored record
 * @returns `{ didDocument, didDocumentMetadata }` as in DID Resolution §4
 */
export function toResolutionResult(record: DidRecord): DidResolutionResult {
  const key = currentKey(record);
  const keyRef = `${record.did}#${key.id}`;
  const active = record.status === 'active';
  return {
    didDocument: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
      id: record.did,
      verificationMethod: active ? [{ id: keyRef, type: 'JsonWebKey2020', controller: record.did, publicKeyJwk: key.publicKeyJwk }] : [],
      authentication: active ? [keyRef] : [],
      assertionMethod: active ? [keyRef] : [],
    },
    didDocumentMetadata: {
      created: record.created,
      updated: record.updated,
      deactivated: !active,
      versionId: record.versionTxId,
      sequence: record.sequence,
    },
  };
}

/** W3C DID resolution result, as returned by `identity:ResolveDID`. */
export interface DidResolutionResult {
  didDocument: {
    '@context': string[];
    id: string;
    verificationMethod: { id: string; type: 'JsonWebKey2020'; controller: string; publicKeyJwk: DidKey['publicKeyJwk'] }[];
    authentication: string[];
    assertionMethod: string[];
  };
  didDocumentMetadata: {
    created: string;
    updated: string;
    deactivated: boolean;
    versionId: string;
    sequence: number;
  };
}
