import fc from 'fast-check';
import { signAction, type CitizenKey } from '../../../chaincode/src/test-support/citizen-keys';
import { signedConsent } from '../../../chaincode/src/test-support/debt-fixtures';
import type { FakeIdentity } from '../../../chaincode/src/test-support/fake-context';
import { petitionSpec } from '../../../chaincode/src/test-support/petition-fixtures';
import { jsonText, jsonTree, type JsonTree } from './hostile';
import type { FuzzWorld } from './world';

/**
 * A well-formed request of one transaction, which the fuzzer then breaks in one place, so that
 * hostile values reach the checks behind the first field. `signedBy` requests are signed again
 * after the change (as a citizen or issuer could sign anything), so that they get past the signature.
 */
export interface RequestTemplate {
  /** The request: the first argument, or the transient field of the debt contract's transactions. */
  readonly value: unknown;
  readonly signedBy?: { readonly key: CitizenKey; readonly action: string };
  /** A caller other than the matrix's first, to reach the record of another org. */
  readonly caller?: FakeIdentity;
}

const HASH = 'c'.repeat(64);
const POINT = { type: 'Point', coordinates: [4.9, 52.37] };

/** A template per transaction that takes a JSON request. */
export function requestTemplates(w: FuzzWorld): Readonly<Record<string, RequestTemplate>> {
  const parcel = 'AM-K-1234';
  const alice = w.alice;
  const cityIssuer = w.issuers.CityMSP ?? alice;
  const signed = (action: string, value: Record<string, unknown>, key: CitizenKey = alice): RequestTemplate => ({ value, signedBy: { key, action } });
  const round = { roundId: w.roundId };
  const agencies: FakeIdentity = { mspId: 'AgenciesMSP', role: 'creditor' };
  const record = { debtId: w.debtId, subject: alice.did, creditorReference: 'ref-1', amountCents: 31_240, origin: 'energy bill 2026-Q2', since: '2026-04-01' };
  const owners = [{ did: alice.did, share: { num: 1, den: 1 } }];
  const newParcel = { cadastralId: 'AM-K-9', areaM2: 250, location: POINT, landUse: 'residential', owners, deedHash: HASH };
  return {
    'identity:RotateKey': { value: { did: alice.did, newPublicKeyJwk: cityIssuer.publicKeyJwk, sequence: 0, proof: 'AAAA', newKeyProof: 'AAAA' } },
    'identity:DeactivateDID': { value: { did: alice.did, sequence: 0, proof: 'AAAA' } },
    'identity:RegisterIssuer': { value: { did: alice.did, name: 'Youth Services', mspId: 'AgenciesMSP', credentialTypes: ['AgeCredential'] } },
    'identity:SetIssuerStatus': { value: { did: cityIssuer.did, status: 'suspended' } },
    'identity:RegisterCredentialSchema': { value: { type: 'AgeCredential', version: 1, claims: [{ name: 'age_over_18', type: 'boolean' }] } },
    'identity:ReserveStatusIndex': signed('identity:ReserveStatusIndex', { index: 7 }, cityIssuer),
    'identity:SetCredentialStatus': signed('identity:SetCredentialStatus', { purpose: 'revocation', index: 7, value: true }, cityIssuer),
    'land:RegisterParcel': { value: newParcel },
    'land:ImportParcels': { value: { parcels: [newParcel, { ...newParcel, cadastralId: 'AM-K-10' }] } },
    'land:OfferTransfer': signed('land:OfferTransfer', {
      cadastralId: parcel,
      parcelVersion: 1,
      share: { num: 1, den: 2 },
      buyer: cityIssuer.did,
      priceCents: 100,
      deedHash: HASH,
    }),
    'land:AcceptOffer': signed('land:AcceptOffer', { cadastralId: parcel, offerId: 'tx0001' }),
    'land:WithdrawOffer': signed('land:WithdrawOffer', { cadastralId: parcel, offerId: 'tx0001' }),
    'land:ApproveTransfer': { value: { cadastralId: parcel, offerId: 'tx0001' } },
    'land:OpenDispute': { value: { cadastralId: parcel, filingHash: HASH } },
    'land:ResolveDispute': { value: { cadastralId: parcel, filingHash: HASH } },
    'land:RegisterMortgage': { value: { cadastralId: parcel, description: 'loan', consents: [] } },
    'land:ConsentToTransfer': { value: { cadastralId: parcel, offerId: 'tx0001', encumbranceId: 'tx0002' } },
    'land:RegisterEasement': { value: { cadastralId: parcel, description: 'water main' } },
    'land:ReleaseEncumbrance': { value: { cadastralId: parcel, encumbranceId: 'tx0002' } },
    'land:SplitParcel': {
      value: {
        cadastralId: parcel,
        children: [
          { cadastralId: 'AM-K-1234-A', areaM2: 125, location: POINT },
          { cadastralId: 'AM-K-1234-B', areaM2: 125, location: POINT },
        ],
      },
    },
    'land:MergeParcels': { value: { cadastralIds: [parcel, 'AM-K-9'], merged: { cadastralId: 'AM-K-11', location: POINT } } },
    'allocation:OpenRound': {
      value: {
        roundId: 'fair-2',
        title: 'Fair',
        sites: [{ id: 'F1', category: 'food' }],
        quotas: { food: 1 },
        priorityGroups: [],
        closes: '2026-09-22T12:00:00.000Z',
      },
    },
    'allocation:Apply': signed('allocation:Apply', { ...round, preferences: ['F1', 'C1'], group: 'local-producer' }),
    'allocation:WithdrawApplication': signed('allocation:WithdrawApplication', round),
    'allocation:AttestPriority': { value: { ...round, applicant: alice.did, group: 'local-producer', evidenceHash: HASH } },
    'allocation:CommitShare': { value: { ...round, commitment: HASH } },
    'allocation:CloseRound': { value: round },
    'allocation:RevealShare': { value: { ...round, share: 'city-share' } },
    'allocation:DrawRound': { value: round },
    'allocation:ReleaseSite': signed('allocation:ReleaseSite', { ...round, site: 'F1' }),
    'allocation:MarkNoShow': { value: { ...round, site: 'F1', holder: alice.did } },
    'debt:RecordDebt': { value: { ...record, debtId: 'd'.repeat(32) }, caller: agencies },
    'debt:SettleDebt': { value: { record: { ...record, creditor: 'AgenciesMSP', status: 'open' } }, caller: agencies },
    'debt:PurgeDebt': { value: { record: { ...record, creditor: 'AgenciesMSP', status: 'open' } }, caller: agencies },
    'debt:RecordConsent': { value: signedConsent(alice) },
    'debt:GetDebtOverview': { value: signedConsent(alice) },
    'debt:ProposePlan': { value: { planId: 'e'.repeat(32), consent: signedConsent(alice), capacityCents: 25_000, preferential: ['AgenciesMSP'] } },
    'debt:RecordPayment': {
      value: { share: { planId: 'e'.repeat(32), creditor: 'AgenciesMSP', outstandingCents: 100, payments: [] }, amountCents: 10 },
      caller: agencies,
    },
    'petition:CreatePetition': { value: petitionSpec('library-late', w.petition.publicKey) },
    'petition:ProposePetition': signed('petition:ProposePetition', {
      proposalId: 'library-late',
      kind: 'petition',
      title: 'Late opening',
      textHash: HASH,
      options: ['Yes', 'No'],
      eligibility: { credentialType: 'ResidencyCredential', claims: { resident_of: 'Civitas' } },
      threshold: 300,
      closes: '2026-12-01T00:00:00.000Z',
    }),
    'petition:RejectProposal': { value: { proposalId: 'library-late', reason: 'duplicate' } },
    'petition:RecordTokenIssuance': signed('petition:RequestToken', { petitionId: w.petition.id }),
    'petition:SignPetition': { value: { petitionId: w.petition.id, token: w.petition.token, signature: w.petition.signature, option: 'Yes' } },
    'petition:ClosePetition': { value: { petitionId: w.petition.id, withdraw: true, maxSignatures: 10 } },
  };
}

/** A tree of JSON paths: the root and every member and element below it. */
function paths(tree: JsonTree, at: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  if ('items' in tree) {
    return [at, ...tree.items.flatMap((t, i) => paths(t, [...at, i]))];
  }
  if ('entries' in tree) {
    return [at, ...tree.entries.flatMap(([k, t]) => paths(t, [...at, k]))];
  }
  return [at];
}

type Mutation = { readonly op: 'replace' | 'delete' | 'add'; readonly key: string; readonly value: JsonTree };

function mutateAt(tree: JsonTree, at: readonly (string | number)[], m: Mutation): JsonTree {
  const [head, ...rest] = at;
  if (head === undefined) {
    if (m.op === 'add' && 'entries' in tree) {
      return { entries: [...tree.entries, [m.key, m.value]] };
    }
    return m.op === 'delete' ? { raw: 'null' } : m.value;
  }
  if ('items' in tree) {
    return { items: tree.items.map((t, i) => (i === head ? mutateAt(t, rest, m) : t)) };
  }
  if ('entries' in tree) {
    if (m.op === 'delete' && rest.length === 0) {
      return { entries: tree.entries.filter(([k]) => k !== head) };
    }
    return { entries: tree.entries.map(([k, t]) => [k, k === head ? mutateAt(t, rest, m) : t] as const) };
  }
  return tree;
}

/** The template broken in one place; a signed one signed again over what it became. */
export function mutatedRequest(template: RequestTemplate, key: fc.Arbitrary<string>, value: fc.Arbitrary<JsonTree>): fc.Arbitrary<string> {
  const tree = jsonTree(template.value);
  const all = paths(tree);
  return fc
    .record({ path: fc.nat({ max: all.length - 1 }), op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const), key, value })
    .map(({ path, op, key: k, value: v }) => {
      const text = jsonText(mutateAt(tree, all[path] ?? [], { op, key: k, value: v }));
      return template.signedBy === undefined ? text : resign(template.signedBy, text);
    });
}

/** A well-formed signature that verifies nothing: what a request carries when its payload cannot be signed. */
const UNVERIFIED_SIGNATURE = 'A'.repeat(86);

/**
 * The broken payload signed again; a payload the signer cannot sign (not an object, or too deep for
 * the test's own canonical JSON) is sent with a signature of the right shape, placed as text so that
 * the chaincode gets the payload exactly as generated.
 */
function resign(by: { readonly key: CitizenKey; readonly action: string }, fieldsText: string): string {
  const envelope = `"action":${JSON.stringify(by.action)},"channel":"civic","did":${JSON.stringify(by.key.did)},"nonce":"nonce-unsigned-0001"`;
  const payload = fieldsText.startsWith('{') ? `{${envelope}${fieldsText === '{}' ? '' : ','}${fieldsText.slice(1)}` : fieldsText;
  const unsigned = `{"did":${JSON.stringify(by.key.did)},"payload":${payload},"signature":"${UNVERIFIED_SIGNATURE}"}`;
  try {
    const fields = JSON.parse(fieldsText) as unknown;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      return unsigned;
    }
    return JSON.stringify(signAction(by.key, by.action, fields as Record<string, unknown>));
  } catch {
    return unsigned;
  }
}
