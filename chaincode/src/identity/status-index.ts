import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { authorize } from '../shared/access';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { STATUS_LIST_SIZE, countSet, encodeList, getBit, statusListFullMessage, withBit } from './bitstring';
import { verifyCitizenSignature } from './citizen-signature';
import { didSchema } from './did';
import { loadIssuer } from './issuers';

/**
 * Status-index allocation per issuer: one {@link STATUS_LIST_SIZE}-bit bitmap (bit i set = index i
 * is taken by a credential), the same bit numbering as the W3C Bitstring Status List. An index
 * serves both of the issuer's lists (revocation and suspension), and is handed out once only, so
 * revoking one credential can never revoke another. The client picks the index at random among
 * the free ones; the chaincode only checks and records it (no randomness here).
 */
export const STATUS_INDEX_OBJECT_TYPE = 'civic.identity.statusindex';

const storedAllocationSchema = z
  .object({
    issuer: didSchema,
    allocated: z.number().int().min(0).max(STATUS_LIST_SIZE),
    bits: z.string(),
    updated: z.iso.datetime(),
  })
  .strict();

/** The world-state key of an issuer's allocation bitmap. */
export function allocationKey(ctx: Context, issuer: string): string {
  return ctx.stub.createCompositeKey(STATUS_INDEX_OBJECT_TYPE, [issuer]);
}

async function loadAllocation(ctx: Context, issuer: string): Promise<Uint8Array> {
  const stored = await readRecord(ctx, allocationKey(ctx, issuer), storedAllocationSchema);
  return stored === undefined ? new Uint8Array(STATUS_LIST_SIZE / 8) : new Uint8Array(Buffer.from(stored.bits, 'base64'));
}

const reservePayloadSchema = z
  .object({
    index: z
      .number()
      .int()
      .min(0)
      .max(STATUS_LIST_SIZE - 1),
  })
  .loose();

/**
 * Body of `identity:ReserveStatusIndex`: take one status index for a new credential, authorised
 * by the issuer's DID signature (payload action `identity:ReserveStatusIndex`, field `index`) and
 * submitted by `issuer`-role staff of the issuer's own org. Two reservations of the same issuer in
 * one block conflict (MVCC) on the bitmap; the later one is invalidated and may be resubmitted.
 *
 * @returns `{ issuer, index, allocated }`, `allocated` counting the issuer's indexes now taken
 * @throws `INVALID_ARGUMENT` (index not an integer in [0, 131071]), `INVALID_SIGNATURE`, `NOT_FOUND`
 *   (issuer), `FAILED_PRECONDITION` (replayed signature, issuer suspended or retired, every index
 *   taken), `ALREADY_EXISTS` (the index is taken), `FORBIDDEN`. Nothing is written on a refusal.
 *   Emits `identity.StatusIndexReserved` `{ issuer, index }`.
 */
export async function reserveStatusIndex(ctx: Context, request: string): Promise<{ issuer: string; index: number; allocated: number }> {
  const signed = parseJsonArgument(z.unknown(), request, 'request');
  const payload = await verifyCitizenSignature(ctx, signed, 'identity:ReserveStatusIndex', 'request');
  const { index } = validate(reservePayloadSchema, payload, 'request.payload');
  const issuer = await loadIssuer(ctx, payload.did);
  if (issuer.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `issuer ${issuer.did} is ${issuer.status} and issues no credentials`);
  }
  authorize(ctx, { msps: [issuer.mspId], roles: ['issuer'] }, 'identity:ReserveStatusIndex');
  const bits = await loadAllocation(ctx, issuer.did);
  const taken = countSet(bits);
  if (taken >= STATUS_LIST_SIZE) {
    throw new ChaincodeError('FAILED_PRECONDITION', statusListFullMessage(issuer.did));
  }
  if (getBit(bits, index)) {
    throw new ChaincodeError('ALREADY_EXISTS', `status index ${index} of ${issuer.did} is already allocated to another credential; pick a free one`);
  }
  await writeRecord(ctx, allocationKey(ctx, issuer.did), storedAllocationSchema, {
    issuer: issuer.did,
    allocated: taken + 1,
    bits: Buffer.from(withBit(bits, index, true)).toString('base64'),
    updated: txTimestamp(ctx),
  });
  emitEvent(ctx, 'identity.StatusIndexReserved', { issuer: issuer.did, index });
  return { issuer: issuer.did, index, allocated: taken + 1 };
}

/**
 * Body of `identity:GetStatusIndexAllocation`: which of an issuer's status indexes are taken, as
 * `{ issuer, size, allocated, encodedList }` (`encodedList` in the W3C Bitstring Status List
 * encoding, bit set = taken).
 *
 * @throws `INVALID_ARGUMENT` (malformed DID), `NOT_FOUND` (issuer)
 */
export async function getStatusIndexAllocation(
  ctx: Context,
  issuer: string,
): Promise<{ issuer: string; size: number; allocated: number; encodedList: string }> {
  const did = validate(didSchema, issuer, 'issuer');
  await loadIssuer(ctx, did);
  const bits = await loadAllocation(ctx, did);
  return { issuer: did, size: STATUS_LIST_SIZE, allocated: countSet(bits), encodedList: encodeList(bits) };
}
