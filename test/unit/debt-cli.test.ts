import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consentIdOf } from '@civic-ledger/chaincode/dist/debt/client';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { identityContract, clerk } from '../../chaincode/src/test-support/identity-fixtures';
import { agenciesCreditor, counsellor, debt, newLedger, overview, recordDebt } from '../../chaincode/src/test-support/debt-fixtures';
import { generateCitizenKey, signAuthorisation, signWithKey } from '../../cli/src/citizen/key-file';
import { counsellorName, readConsent, saveConsent, signConsent } from '../../cli/src/debt/consent-file';
import { civicInProcess } from '../support/civic-in-process';

/**
 * The CLI side of debt consent (`civic debt consent | revoke-consent`): what it signs and writes
 * is exactly what the debt contract's real logic (on the unit-test ledger fake) accepts.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-debt-'));
const NOW = new Date(1_790_000_000 * 1000);

describe('debt consent from the CLI', () => {
  it('signs a consent the chaincode records and honours, saves it owner-only, and revokes it with the same key', async () => {
    const ledger = newLedger();
    const alice = generateCitizenKey();
    const proof = signWithKey(alice, registerPayload('civic', alice.did, alice.publicKeyJwk));
    await ledger.tx(clerk, (ctx) => identityContract.RegisterDID(ctx, JSON.stringify({ did: alice.did, publicKeyJwk: alice.publicKeyJwk, proof })));
    await recordDebt(ledger, agenciesCreditor, alice.did, 12_345);

    const consent = signConsent(alice, 'civic', 'CityMSP/eva', ['AgenciesMSP'], 30, NOW);
    const file = path.join(dir, 'alice.consent.json');
    const consentId = await saveConsent(file, consent);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readConsent(file)).toEqual(consent);
    expect(consentId).toBe(consentIdOf(consent));

    const recorded = JSON.parse(
      await ledger.tx(counsellor, (ctx) => debt.RecordConsent(ctx), 1_790_000_000, { transient: { consent: JSON.stringify(consent) } }),
    ) as { consentId: string; creditors: string[] };
    expect(recorded).toMatchObject({ consentId, creditors: ['AgenciesMSP'] });
    expect((await overview(ledger, consent, 'AgenciesMSP')).records.map((r) => r.amountCents)).toEqual([12_345]);

    const revocation = {
      ...signAuthorisation(alice, 'debt:RevokeConsent', 'civic', { consentId, subjectSalt: consent.payload.subjectSalt }),
      publicKeyJwk: alice.publicKeyJwk,
    };
    await ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk' }, (ctx) => debt.RevokeConsent(ctx, consentId), 1_790_000_100, {
      transient: { revocation: JSON.stringify(revocation) },
    });
    await expect(overview(ledger, consent, 'AgenciesMSP', 1_790_000_200)).rejects.toThrow(/was revoked/);
  });

  it('names the counsellor by the MSP ID and the certificate CN of the wallet identity', () => {
    const key = path.join(dir, 'k.pem');
    const cert = path.join(dir, 'c.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/C=NL/O=Civic Ledger/OU=client/CN=eva',
      ],
      { stdio: 'ignore' },
    );
    expect(counsellorName('CityMSP', readFileSync(cert))).toBe('CityMSP/eva');
  });

  it('checks debt options before asking for anything or contacting the network', async () => {
    const home = { CIVIC_NETWORK_HOME: dir };
    const record = ['debt', 'record', '--subject', 'did:civic:x', '--reference', 'r', '--origin', 'o', '--since', '2026-01-01'];
    expect((await civicInProcess([...record, '--amount', '0'], home)).err).toBe('error: --amount: a debt must be more than €0.00');
    expect((await civicInProcess([...record, '--amount', '-3'], home)).err).toBe("error: --amount: '-3' is not an amount in euros such as 325000 or 325000.50");
    const consent = ['debt', 'consent', '--key', 'k.json', '--out', 'c.json'];
    expect((await civicInProcess([...consent, '--valid-days', '400'], home)).err).toBe(
      "error: --valid-days: '400' must be a whole number of days from 1 to 366",
    );
    expect((await civicInProcess([...consent, '--creditors', 'harbour'], home)).err).toBe(
      "error: --creditors: 'harbour' is not an org; use all, or some of city, agencies, utilities",
    );
  });
});
