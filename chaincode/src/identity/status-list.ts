import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { authorize } from '../shared/access';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { verifyCitizenSignature } from './citizen-signature';
import { STATUS_LIST_SIZE, encodeList, getBit, withBit } from './bitstring';
import { didSchema } from './did';
import { loadIssuer } from './issuers';

/**
 * Credential status per issuer, following W3C Bitstring Status List v1.0: one
 * list per status purpose (`revocation`, `suspension`) of {@link STATUS_LIST_SIZE}
 * bits; bit i is the i-th bit from the left of the bitstring (byte i>>3, mask
 * 0x80>>(i&7)); 1 means revoked or suspended. Issuers take indexes at random among
 * the free ones, each once only (see status-index.ts), so an index says nothing about
 * whom a credential was issued to and belongs to one credential alone.
 */
export const STATUS_LIST_OBJECT_TYPE = 'civic.identity.statuslist';
export const statusPurposeSchema = z.enum(['revocation', 'suspension']);
export type StatusPurpose = z.infer<typeof statusPurposeSchema>;

const indexSchema = z
  .number()
  .int()
  .min(0)
  .max(STATUS_LIST_SIZE - 1);
const storedListSchema = z.object({ issuer: didSchema, purpose: statusPurposeSchema, bits: z.string(), updated: z.iso.datetime() }).strict();

function listKey(ctx: Context, issuer: string, purpose: StatusPurpose): string {
  return ctx.stub.createCompositeKey(STATUS_LIST_OBJECT_TYPE, [issuer, purpose]);
}

async function loadBits(ctx: Context, issuer: string, purpose: StatusPurpose): Promise<Uint8Array> {
  const stored = await readRecord(ctx, listKey(ctx, issuer, purpose), storedListSchema);
  return stored === undefined ? new Uint8Array(STATUS_LIST_SIZE / 8) : new Uint8Array(Buffer.from(stored.bits, 'base64'));
}

const statusPayloadSchema = z.object({ purpose: statusPurposeSchema, index: indexSchema, value: z.boolean() }).loose();

/**
 * Body of `identity:SetCredentialStatus`: the issuer sets one bit, authorised by its
 * DID signature (payload action `identity:SetCredentialStatus`, fields `purpose`,
 * `index`, `value`) and submitted by `issuer`-role staff of the issuer's own org.
 * Revocation is final: a revoked bit cannot be cleared.
 */
export async function setCredentialStatus(ctx: Context, request: string): Promise<{ issuer: string; purpose: StatusPurpose; index: number; value: boolean }> {
  const signed = parseJsonArgument(z.unknown(), request, 'request');
  const payload = await verifyCitizenSignature(ctx, signed, 'identity:SetCredentialStatus', 'request');
  const { purpose, index, value } = validate(statusPayloadSchema, payload, 'request.payload');
  const issuer = await loadIssuer(ctx, payload.did);
  if (issuer.status === 'retired') {
    throw new ChaincodeError('FAILED_PRECONDITION', `issuer ${issuer.did} is retired`);
  }
  authorize(ctx, { msps: [issuer.mspId], roles: ['issuer'] }, 'identity:SetCredentialStatus');
  const bits = await loadBits(ctx, issuer.did, purpose);
  if (purpose === 'revocation' && getBit(bits, index) && !value) {
    throw new ChaincodeError('FAILED_PRECONDITION', `revocation of index ${index} by ${issuer.did} is final`);
  }
  await writeRecord(ctx, listKey(ctx, issuer.did, purpose), storedListSchema, {
    issuer: issuer.did,
    purpose,
    bits: Buffer.from(withBit(bits, index, value)).toString('base64'),
    updated: txTimestamp(ctx),
  });
  emitEvent(ctx, 'identity.CredentialStatusChanged', { issuer: issuer.did, purpose, index, value });
  return { issuer: issuer.did, purpose, index, value };
}

/** Body of `identity:GetStatusList`: the list as a W3C BitstringStatusList subject. */
export async function getStatusList(
  ctx: Context,
  issuer: string,
  purpose: string,
): Promise<{ type: 'BitstringStatusList'; issuer: string; statusPurpose: StatusPurpose; size: number; encodedList: string }> {
  const did = validate(didSchema, issuer, 'issuer');
  const p = validate(statusPurposeSchema, purpose, 'purpose');
  await loadIssuer(ctx, did);
  return { type: 'BitstringStatusList', issuer: did, statusPurpose: p, size: STATUS_LIST_SIZE, encodedList: encodeList(await loadBits(ctx, did, p)) };
}
