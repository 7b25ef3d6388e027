import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Parcel } from '@civic-ledger/chaincode/dist/land/client';
import type { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import { accept, approve, desk, land, offer, setup } from '../../chaincode/src/test-support/land-fixtures';
import { issueCertificate, verifyCertificate, type LandLedgerReader, type TitleCertificate } from '../../cli/src/land/certificate';

/**
 * Title certificates (`civic land certificate` / `verify-certificate`) against the land
 * contract's real logic on the unit-test ledger fake. The fake's "blocks" are its
 * transaction ids' sequence numbers (tx0007 is in block 7); on a peer they come from qscc.
 */
function reader(ledger: FakeLedger): LandLedgerReader {
  return {
    parcel: async (id) => JSON.parse(await ledger.tx(desk, (ctx) => land.GetParcel(ctx, id))) as Parcel,
    blockNumberOf: (txId) => Promise.resolve(/^tx\d+$/.test(txId) ? BigInt(txId.slice(2)) : undefined),
  };
}

/** A certificate with its digest recomputed, as a forger would. */
function redigested(cert: TitleCertificate): TitleCertificate {
  const body: Partial<TitleCertificate> = { ...cert };
  delete body.digest;
  return {
    ...cert,
    digest: createHash('sha256')
      .update(canonicalize(body) ?? '')
      .digest('hex'),
  };
}

const issued = { at: new Date('2026-11-22T10:00:00Z'), mspId: 'AgenciesMSP' };

describe('title certificates', () => {
  it('states owners, shares, encumbrances and the last change, and verifies against the ledger', async () => {
    const { ledger, alice } = await setup();
    const cert = await issueCertificate(reader(ledger), 'civic', 'AM-K-1234', issued);
    expect(cert.title).toMatchObject({
      cadastralId: 'AM-K-1234',
      version: 1,
      status: 'active',
      owners: [{ did: alice.did, share: { num: 1, den: 1 } }],
      encumbrances: [],
    });
    const parcel = await reader(ledger).parcel('AM-K-1234');
    expect(cert.lastChange).toEqual({ transactionId: parcel.lastTxId, blockNumber: String(BigInt(parcel.lastTxId.slice(2))), at: parcel.updated });
    const verdict = await verifyCertificate(reader(ledger), JSON.parse(JSON.stringify(cert)));
    expect(verdict.valid).toBe(true);
    expect(verdict.checks.map((c) => [c.check, c.ok])).toEqual([
      ['format', true],
      ['digest', true],
      ['title', true],
      ['block', true],
    ]);
  });

  it('is superseded once the title moves, naming the transaction that moved it', async () => {
    const { ledger, alice, bob } = await setup();
    const cert = await issueCertificate(reader(ledger), 'civic', 'AM-K-1234', issued);
    const o = await offer(ledger, alice, bob);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const now = await reader(ledger).parcel('AM-K-1234');
    const verdict = await verifyCertificate(reader(ledger), cert);
    expect(verdict.valid).toBe(false);
    expect(verdict.checks.find((c) => !c.ok)?.detail).toBe(
      `superseded: the parcel is now at version 2, last changed by transaction ${now.lastTxId} (the certificate states version 1)`,
    );
  });

  it('detects an altered file, a forged title with a recomputed digest, a wrong block and a malformed document', async () => {
    const { ledger, bob } = await setup();
    const cert = await issueCertificate(reader(ledger), 'civic', 'AM-K-1234', issued);
    const altered: TitleCertificate = { ...cert, title: { ...cert.title, owners: [{ did: bob.did, share: { num: 1, den: 1 } }] } };
    expect((await verifyCertificate(reader(ledger), altered)).checks.at(-1)).toEqual({
      check: 'digest',
      ok: false,
      detail: 'the certificate was altered after it was issued (its digest does not match its content)',
    });

    // A forger who recomputes the digest is caught by the ledger itself.
    const forged = redigested(altered);
    const forgedVerdict = await verifyCertificate(reader(ledger), forged);
    expect(forgedVerdict.checks.find((c) => c.check === 'title')).toEqual({
      check: 'title',
      ok: false,
      detail: 'does not match the ledger at version 1: owners differ',
    });

    const wrongBlock = redigested({ ...cert, lastChange: { ...cert.lastChange, blockNumber: '99' } });
    expect((await verifyCertificate(reader(ledger), wrongBlock)).checks.find((c) => c.check === 'block')?.detail).toBe(
      `transaction ${cert.lastChange.transactionId} is in block ${cert.lastChange.blockNumber}, not 99`,
    );

    const malformed = await verifyCertificate(reader(ledger), { type: 'Deed' });
    expect(malformed).toEqual({
      valid: false,
      cadastralId: undefined,
      checks: [{ check: 'format', ok: false, detail: expect.stringMatching(/^not a title certificate: type: /) as unknown }],
    });
  });

  it('refuses to issue for an unknown parcel', async () => {
    const { ledger } = await setup();
    await expect(issueCertificate(reader(ledger), 'civic', 'AM-K-9', issued)).rejects.toThrow('NOT_FOUND: parcel AM-K-9 does not exist');
  });
});
