import { randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalBytes } from '../shared/canonical-json';
import { DebtContract } from '../debt/debt-contract';
import type { DebtRecord, SignedConsent } from '../debt/model';
import type { CitizenKey } from './citizen-keys';
import { FakeLedger, type FakeIdentity } from './fake-context';
import type { FakeCollection } from './fake-private-data';

/** Shared fixtures for debt unit tests: the real collections config, creditors' staff, a counsellor. */
export const debt = new DebtContract();
export const counsellor: FakeIdentity = { mspId: 'CityMSP', role: 'debt-counsellor', name: 'eva' };
export const agenciesCreditor: FakeIdentity = { mspId: 'AgenciesMSP', role: 'creditor', name: 'tax-office' };
export const utilitiesCreditor: FakeIdentity = { mspId: 'UtilitiesMSP', role: 'creditor', name: 'energy' };
export const NOW = 1_790_000_000;
export const NOW_ISO = new Date(NOW * 1000).toISOString();

/** The collections of chaincode/collections_config.json, members read from each policy. */
export function configuredCollections(): Record<string, FakeCollection> {
  const collectionsConfig = JSON.parse(readFileSync(path.join(__dirname, '../../collections_config.json'), 'utf8')) as {
    name: string;
    policy: string;
    memberOnlyRead: boolean;
    memberOnlyWrite: boolean;
  }[];
  return Object.fromEntries(
    collectionsConfig.map((c) => [
      c.name,
      { members: [...c.policy.matchAll(/'(\w+)\.member'/g)].map((m) => m[1] ?? ''), memberOnlyRead: c.memberOnlyRead, memberOnlyWrite: c.memberOnlyWrite },
    ]),
  );
}

export const newLedger = (): FakeLedger => new FakeLedger(configuredCollections());

/** Record a debt as `creditor` under a new random id (as the CLI chooses it); returns that id. */
export async function recordDebt(ledger: FakeLedger, creditor: FakeIdentity, subject: string, amountCents: number, reference = 'ref-1'): Promise<string> {
  const debtId = randomBytes(16).toString('hex');
  const debt_ = {
    debtId,
    subject,
    creditorReference: reference,
    amountCents,
    origin: 'energy bill 2026-Q2',
    since: '2026-04-01',
  };
  await ledger.tx(creditor, (ctx) => debt.RecordDebt(ctx), NOW, { transient: { debt: JSON.stringify(debt_) } });
  return debtId;
}

/** A consent signed by `signer` (by default the subject) for the fixture counsellor. */
export function signedConsent(
  subject: CitizenKey,
  fields: { creditors?: string[]; expires?: string; counsellor?: string; signer?: CitizenKey } = {},
): SignedConsent {
  const signer = fields.signer ?? subject;
  const payload = {
    action: 'debt:Consent' as const,
    channel: 'civic',
    did: subject.did,
    nonce: randomBytes(18).toString('base64url'),
    counsellor: fields.counsellor ?? 'CityMSP/eva',
    creditors: (fields.creditors ?? ['*']) as SignedConsent['payload']['creditors'],
    expires: fields.expires ?? new Date((NOW + 30 * 86_400) * 1000).toISOString(),
    subjectSalt: randomBytes(32).toString('hex'),
  };
  return {
    did: subject.did,
    payload,
    signature: sign(null, canonicalBytes(payload), signer.privateKey).toString('base64url'),
    publicKeyJwk: signer.publicKeyJwk,
  };
}

/** Record a consent as the counsellor; returns its id. */
export async function recordConsent(ledger: FakeLedger, consent: SignedConsent, who: FakeIdentity = counsellor): Promise<string> {
  return (JSON.parse(await ledger.tx(who, (ctx) => debt.RecordConsent(ctx), NOW, { transient: { consent: JSON.stringify(consent) } })) as { consentId: string })
    .consentId;
}

/** The counsellor's overview query on a peer of `peerMspId`. */
export async function overview(
  ledger: FakeLedger,
  consent: SignedConsent,
  peerMspId: string,
  at = NOW + 60,
  who: FakeIdentity = counsellor,
): Promise<{ creditor: string; records: DebtRecord[] }> {
  return JSON.parse(await ledger.tx(who, (ctx) => debt.GetDebtOverview(ctx), at, { transient: { consent: JSON.stringify(consent) }, peerMspId })) as {
    creditor: string;
    records: DebtRecord[];
  };
}
