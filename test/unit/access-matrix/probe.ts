import { ChaincodeError } from '../../../chaincode/src/shared/errors';
import { signAction, type CitizenKey } from '../../../chaincode/src/test-support/citizen-keys';
import type { FakeIdentity, FakeLedger } from '../../../chaincode/src/test-support/fake-context';
import { cityAdmin, identityContract, registeredCitizen } from '../../../chaincode/src/test-support/identity-fixtures';
import { MSP_IDS } from '../../../chaincode/src/shared/access';
import type { ContractTransaction } from './transactions';

/** How the chaincode answered one call: refused as FORBIDDEN, or anything else (success or another refusal). */
export type Verdict = 'forbidden' | 'admitted';

/** Transactions whose access depends on the issuer that signed the request: the caller must be of that issuer's org. */
export const ISSUER_SIGNED = new Set(['identity:ReserveStatusIndex', 'identity:SetCredentialStatus']);

/** A ledger with one trusted issuer DID per founding org, for the issuer-signed transactions. */
export interface ProbeWorld {
  readonly ledger: FakeLedger;
  readonly issuers: Readonly<Record<string, CitizenKey>>;
}

/**
 * Register one active issuer for each founding org, through the City's admin.
 *
 * @returns the ledger and the issuers' keys by MSP ID
 */
export async function probeWorld(ledger: FakeLedger): Promise<ProbeWorld> {
  const issuers: Record<string, CitizenKey> = {};
  for (const mspId of MSP_IDS) {
    const key = await registeredCitizen(ledger);
    await ledger.tx(cityAdmin, (ctx) =>
      identityContract.RegisterIssuer(ctx, JSON.stringify({ did: key.did, name: `${mspId} issuer`, mspId, credentialTypes: ['AgeCredential'] })),
    );
    issuers[mspId] = key;
  }
  return { ledger, issuers };
}

let nextIndex = 0;

/**
 * The arguments of a probe: `{}` for every parameter (an allowed caller gets past the access check
 * and is refused on the arguments), except for the issuer-signed transactions, whose access is
 * decided after the signature: those get a fresh request signed by `issuer`.
 */
export function probeArguments(tx: ContractTransaction, issuer: CitizenKey): string[] {
  if (ISSUER_SIGNED.has(tx.name)) {
    nextIndex += 1;
    const fields = tx.name === 'identity:ReserveStatusIndex' ? { index: nextIndex } : { purpose: 'suspension', index: nextIndex, value: true };
    return [JSON.stringify(signAction(issuer, tx.name, fields))];
  }
  return tx.params.map(() => '{}');
}

/**
 * Call a transaction as `who` and classify the answer.
 *
 * @param where - whose issuer signs an issuer-signed request (default: the caller's org, or Agencies for
 *   a joined org) and the org of the peer that runs it (default: the caller's)
 * @throws whatever the call throws that is not a {@link ChaincodeError}: a crash is never an answer
 */
export async function probe(
  world: ProbeWorld,
  tx: ContractTransaction,
  who: FakeIdentity,
  where: { readonly issuerMsp?: string; readonly peerMspId?: string } = {},
): Promise<Verdict> {
  const issuer = world.issuers[where.issuerMsp ?? who.mspId] ?? world.issuers.AgenciesMSP;
  if (issuer === undefined) {
    throw new Error('the probe world has no issuers');
  }
  const args = probeArguments(tx, issuer);
  try {
    await world.ledger.tx(who, (ctx) => tx.invoke(ctx, args), undefined, { peerMspId: where.peerMspId });
    return 'admitted';
  } catch (error) {
    if (!(error instanceof ChaincodeError)) {
      throw error;
    }
    return error.code === 'FORBIDDEN' ? 'forbidden' : 'admitted';
  }
}
