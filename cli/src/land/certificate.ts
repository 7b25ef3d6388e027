import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import type { Parcel } from '@civic-ledger/chaincode/dist/land/client';

/**
 * What a title certificate is checked against: the land contract's current parcel and the
 * ledger's block index (the peer's `qscc` GetBlockByTxID). The CLI implements it over the
 * Fabric Gateway; tests may implement it over the contract directly.
 */
export interface LandLedgerReader {
  /** `land:GetParcel`; rejects (`NOT_FOUND`) when the parcel is unknown. */
  parcel(cadastralId: string): Promise<Parcel>;
  /** The number of the block holding a transaction; `undefined` when no block holds it. */
  blockNumberOf(transactionId: string): Promise<bigint | undefined>;
}

const ownerSchema = z.object({ did: z.string(), share: z.object({ num: z.number(), den: z.number() }).strict() }).strict();
const encumbranceSchema = z.object({ id: z.string(), kind: z.string(), holder: z.string(), description: z.string(), registered: z.string() }).strict();

/** The title facts a certificate states, copied from the parcel record. */
const titleSchema = z
  .object({
    cadastralId: z.string(),
    areaM2: z.number(),
    landUse: z.string(),
    status: z.string(),
    owners: z.array(ownerSchema),
    encumbrances: z.array(encumbranceSchema),
    deedHash: z.string(),
    version: z.number(),
  })
  .strict();

/**
 * A title certificate (after the Georgian registry's proof of ownership anyone can check).
 * JSON; `digest` is the SHA-256 (hex) of the RFC 8785 canonical JSON of every other field, so any
 * change to the file is detected; the facts are then checked against the ledger itself.
 */
export const certificateSchema = z
  .object({
    type: z.literal('CivicLedgerTitleCertificate'),
    formatVersion: z.literal(1),
    channel: z.string(),
    title: titleSchema,
    /** The transaction that last changed the parcel and the block that holds it. */
    lastChange: z.object({ transactionId: z.string(), blockNumber: z.string().regex(/^\d+$/), at: z.string() }).strict(),
    /** When, and through which org's peer, the certificate was produced (the client's clock). */
    issued: z.object({ at: z.iso.datetime(), mspId: z.string() }).strict(),
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type TitleCertificate = z.infer<typeof certificateSchema>;

function digestOf(body: Omit<TitleCertificate, 'digest'>): string {
  return createHash('sha256')
    .update(canonicalize(body) ?? '', 'utf8')
    .digest('hex');
}

function titleOf(p: Parcel): TitleCertificate['title'] {
  return {
    cadastralId: p.cadastralId,
    areaM2: p.areaM2,
    landUse: p.landUse,
    status: p.status,
    owners: p.owners,
    encumbrances: p.encumbrances.map((e) => ({ id: e.id, kind: e.kind, holder: e.holder, description: e.description, registered: e.registered })),
    deedHash: p.deedHash,
    version: p.version,
  };
}

/**
 * Produce a title certificate for a parcel as the ledger holds it now.
 *
 * @param reader - the ledger
 * @param cadastralId - the parcel
 * @param issued - when and through which org (MSP ID)
 * @throws whatever the reader throws (`NOT_FOUND` for an unknown parcel); Error when the last transaction is in no block
 */
export async function issueCertificate(
  reader: LandLedgerReader,
  channel: string,
  cadastralId: string,
  issued: { at: Date; mspId: string },
): Promise<TitleCertificate> {
  const parcel = await reader.parcel(cadastralId);
  const block = await reader.blockNumberOf(parcel.lastTxId);
  if (block === undefined) {
    throw new Error(`transaction ${parcel.lastTxId}, which last changed parcel ${cadastralId}, is in no block of this peer`);
  }
  const body = {
    type: 'CivicLedgerTitleCertificate' as const,
    formatVersion: 1 as const,
    channel,
    title: titleOf(parcel),
    lastChange: { transactionId: parcel.lastTxId, blockNumber: block.toString(), at: parcel.updated },
    issued: { at: issued.at.toISOString(), mspId: issued.mspId },
  };
  return { ...body, digest: digestOf(body) };
}

/** One check of a certificate and what it found. */
export interface CertificateCheck {
  readonly check: 'format' | 'digest' | 'parcel' | 'title' | 'block';
  readonly ok: boolean;
  readonly detail: string;
}

/** The verdict: `valid` only when every check passed, i.e. the certificate states the current title. */
export interface CertificateVerdict {
  readonly valid: boolean;
  readonly cadastralId: string | undefined;
  readonly checks: CertificateCheck[];
}

function differences(stated: TitleCertificate['title'], now: TitleCertificate['title']): string[] {
  return (Object.keys(now) as (keyof typeof now)[]).filter((k) => canonicalize(stated[k]) !== canonicalize(now[k]));
}

async function ledgerChecks(reader: LandLedgerReader, cert: TitleCertificate): Promise<CertificateCheck[]> {
  let parcel: Parcel;
  try {
    parcel = await reader.parcel(cert.title.cadastralId);
  } catch (e) {
    return [{ check: 'parcel', ok: false, detail: `the ledger has no parcel ${cert.title.cadastralId}: ${(e as Error).message}` }];
  }
  const checks: CertificateCheck[] = [];
  const changed = differences(cert.title, titleOf(parcel));
  if (parcel.version !== cert.title.version || parcel.lastTxId !== cert.lastChange.transactionId) {
    checks.push({
      check: 'title',
      ok: false,
      detail: `superseded: the parcel is now at version ${String(parcel.version)}, last changed by transaction ${parcel.lastTxId} (the certificate states version ${String(cert.title.version)})`,
    });
  } else if (changed.length > 0) {
    checks.push({ check: 'title', ok: false, detail: `does not match the ledger at version ${String(parcel.version)}: ${changed.join(', ')} differ` });
  } else {
    checks.push({
      check: 'title',
      ok: true,
      detail: `matches the ledger: version ${String(parcel.version)}, ${String(parcel.owners.length)} owner(s), ${String(parcel.encumbrances.length)} encumbrance(s)`,
    });
  }
  const block = await reader.blockNumberOf(cert.lastChange.transactionId);
  const stated = BigInt(cert.lastChange.blockNumber);
  checks.push(
    block === stated
      ? { check: 'block', ok: true, detail: `transaction ${cert.lastChange.transactionId} is in block ${block.toString()}` }
      : {
          check: 'block',
          ok: false,
          detail:
            block === undefined
              ? `no block holds transaction ${cert.lastChange.transactionId}`
              : `transaction ${cert.lastChange.transactionId} is in block ${block.toString()}, not ${stated.toString()}`,
        },
  );
  return checks;
}

/**
 * Check a title certificate: its format, its digest (was the file altered?), and its facts
 * against the ledger (is this still the title, and is the last change where it says?).
 *
 * @param document - the parsed certificate file (any JSON)
 * @returns every check with its finding; never throws for a bad certificate
 */
export async function verifyCertificate(reader: LandLedgerReader, document: unknown): Promise<CertificateVerdict> {
  const parsed = certificateSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      valid: false,
      cadastralId: undefined,
      checks: [
        { check: 'format', ok: false, detail: `not a title certificate: ${(issue?.path ?? []).map(String).join('.') || 'document'}: ${issue?.message ?? ''}` },
      ],
    };
  }
  const cert = parsed.data;
  const { digest, ...body } = cert;
  const checks: CertificateCheck[] = [{ check: 'format', ok: true, detail: 'a Civic Ledger title certificate, format 1' }];
  if (digestOf(body) !== digest) {
    checks.push({ check: 'digest', ok: false, detail: 'the certificate was altered after it was issued (its digest does not match its content)' });
  } else {
    checks.push({ check: 'digest', ok: true, detail: 'content unaltered since issue' }, ...(await ledgerChecks(reader, cert)));
  }
  return { valid: checks.every((c) => c.ok), cadastralId: cert.title.cadastralId, checks };
}
