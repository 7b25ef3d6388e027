import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { MSP_IDS } from '../shared/access';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { didSchema } from './did';
import { loadActiveDid } from './did-registry';

/** Composite-key object types of the trusted-issuer registry. */
export const ISSUER_OBJECT_TYPE = 'civic.identity.issuer';
export const SCHEMA_OBJECT_TYPE = 'civic.identity.schema';

const credentialType = z.string().regex(/^[A-Z][A-Za-z0-9]{2,63}$/, 'must be a credential type name such as AgeCredential');
const isoTimestamp = z.iso.datetime();

/** A trusted issuer: an agency or utility the City allows to issue named credential types. */
export const issuerRecordSchema = z
  .object({
    did: didSchema,
    name: z.string().min(2).max(120),
    mspId: z.enum(MSP_IDS),
    credentialTypes: z.array(credentialType).min(1).max(32),
    status: z.enum(['active', 'suspended', 'retired']),
    registered: isoTimestamp,
    updated: isoTimestamp,
  })
  .strict();
export type IssuerRecord = z.infer<typeof issuerRecordSchema>;

const registerIssuerSchema = issuerRecordSchema.pick({ did: true, name: true, mspId: true, credentialTypes: true }).strict();
const issuerStatusSchema = z.object({ did: didSchema, status: z.enum(['active', 'suspended', 'retired']) }).strict();

/** A credential schema: the claims a credential type carries (W3C VC `credentialSchema`). */
export const credentialSchemaSchema = z
  .object({
    type: credentialType,
    version: z.number().int().min(1),
    claims: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case claim name'),
            type: z.enum(['string', 'boolean', 'integer', 'date']),
          })
          .strict(),
      )
      .min(1)
      .max(64)
      .refine((claims) => new Set(claims.map((c) => c.name)).size === claims.length, 'claim names must be unique'),
  })
  .strict();
export type CredentialSchema = z.infer<typeof credentialSchemaSchema>;

export function issuerKey(ctx: Context, did: string): string {
  return ctx.stub.createCompositeKey(ISSUER_OBJECT_TYPE, [did]);
}

/** Read an issuer that must exist. @throws `NOT_FOUND` */
export async function loadIssuer(ctx: Context, did: string): Promise<IssuerRecord> {
  return readExisting(ctx, issuerKey(ctx, did), issuerRecordSchema, `issuer ${did}`);
}

/** Body of `identity:RegisterIssuer`: the issuer's DID must be registered and active. */
export async function registerIssuer(ctx: Context, request: string): Promise<IssuerRecord> {
  const req = parseJsonArgument(registerIssuerSchema, request, 'request');
  await loadActiveDid(ctx, req.did);
  if ((await readRecord(ctx, issuerKey(ctx, req.did), issuerRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `issuer ${req.did} is already registered`);
  }
  const now = txTimestamp(ctx);
  const record: IssuerRecord = { ...req, credentialTypes: [...new Set(req.credentialTypes)].sort(), status: 'active', registered: now, updated: now };
  await writeRecord(ctx, issuerKey(ctx, req.did), issuerRecordSchema, record);
  emitEvent(ctx, 'identity.IssuerRegistered', { did: record.did, mspId: record.mspId, credentialTypes: record.credentialTypes });
  return record;
}

/** Body of `identity:SetIssuerStatus`: suspend, reinstate or retire (retirement is final). */
export async function setIssuerStatus(ctx: Context, request: string): Promise<IssuerRecord> {
  const req = parseJsonArgument(issuerStatusSchema, request, 'request');
  const issuer = await loadIssuer(ctx, req.did);
  if (issuer.status === 'retired') {
    throw new ChaincodeError('FAILED_PRECONDITION', `issuer ${req.did} is retired`);
  }
  const updated: IssuerRecord = { ...issuer, status: req.status, updated: txTimestamp(ctx) };
  await writeRecord(ctx, issuerKey(ctx, req.did), issuerRecordSchema, updated);
  emitEvent(ctx, 'identity.IssuerStatusChanged', { did: req.did, status: req.status });
  return updated;
}

/** Body of `identity:ResolveIssuer`. */
export async function resolveIssuer(ctx: Context, did: string): Promise<IssuerRecord> {
  return loadIssuer(ctx, validate(didSchema, did, 'did'));
}

function schemaKey(ctx: Context, type: string, version: number): string {
  return ctx.stub.createCompositeKey(SCHEMA_OBJECT_TYPE, [type, String(version).padStart(6, '0')]);
}

/** Body of `identity:RegisterCredentialSchema`: a (type, version) is registered once and never changes. */
export async function registerCredentialSchema(ctx: Context, request: string): Promise<CredentialSchema> {
  const schema = parseJsonArgument(credentialSchemaSchema, request, 'request');
  const key = schemaKey(ctx, schema.type, schema.version);
  if ((await readRecord(ctx, key, credentialSchemaSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `credential schema ${schema.type} v${schema.version} is already registered`);
  }
  await writeRecord(ctx, key, credentialSchemaSchema, schema);
  emitEvent(ctx, 'identity.CredentialSchemaRegistered', { type: schema.type, version: schema.version });
  return schema;
}

/** Body of `identity:GetCredentialSchema`. */
export async function getCredentialSchema(ctx: Context, type: string, version: string): Promise<CredentialSchema> {
  const t = validate(credentialType, type, 'type');
  const v = validate(z.coerce.number().int().min(1), version, 'version');
  return readExisting(ctx, schemaKey(ctx, t, v), credentialSchemaSchema, `credential schema ${t} v${v}`);
}
