import { sign } from 'node:crypto';
import canonicalize from 'canonicalize';
import { deactivatePayload, registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { IdentityContract } from '../../chaincode/src/identity/identity-contract';
import { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import { generateCitizenKey, signWithKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { issueCredential } from '../../cli/src/credentials/issue';
import { presentCredential } from '../../cli/src/credentials/present';
import { CredentialRejected, verifyPresentation } from '../../cli/src/credentials/verify';
import { identityReader as reader } from '../support/identity-reader';

/**
 * Verifiable credentials end to end against the identity contract's real logic
 * (on the unit-test ledger fake): an agency issues an AgeCredential off-chain,
 * the holder discloses only `age_over_18`, a verifier checks it against the
 * ledger's issuer registry, DID documents and status lists.
 */
const contract = new IdentityContract();
const clerk = { mspId: 'AgenciesMSP', role: 'clerk' };
const cityAdmin = { mspId: 'CityMSP', role: 'admin' };
const NOW = 1_790_000_000;
const challenge = { audience: 'https://youth-centre.example.city', nonce: 'c0ffee-4f1a-9b2e' };

async function register(ledger: FakeLedger, key: CitizenKeyFile): Promise<void> {
  const proof = signWithKey(key, registerPayload('civic', key.did, key.publicKeyJwk));
  await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })));
}

async function world(): Promise<{ ledger: FakeLedger; agency: CitizenKeyFile; alice: CitizenKeyFile; credential: string; statusIndex: number }> {
  const ledger = new FakeLedger();
  const [agency, alice] = [generateCitizenKey(), generateCitizenKey()];
  await register(ledger, agency);
  await register(ledger, alice);
  await ledger.tx(cityAdmin, (ctx) =>
    contract.RegisterIssuer(ctx, JSON.stringify({ did: agency.did, name: 'Youth Services', mspId: 'AgenciesMSP', credentialTypes: ['AgeCredential'] })),
  );
  const { credential, statusIndex } = await issueCredential({
    issuer: agency,
    holder: { did: alice.did, publicKeyJwk: alice.publicKeyJwk },
    type: 'AgeCredential',
    claims: { age_over_18: true, birth_date: '2004-05-06', resident_district: 'Centrum' },
    issuedAt: NOW - 3600,
    expiresAt: NOW + 365 * 86_400,
  });
  return { ledger, agency, alice, credential, statusIndex };
}

async function rejection(run: Promise<unknown>): Promise<CredentialRejected> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CredentialRejected);
  return e as CredentialRejected;
}

/** Every segment of a compact SD-JWT, base64url-decoded, plus the raw text. */
function allBytes(sdJwt: string): string {
  const segments = sdJwt.split(/[~.]/).filter((s) => s !== '');
  return [sdJwt, ...segments.map((s) => Buffer.from(s, 'base64url').toString('utf8'))].join('\n');
}

describe('selective disclosure of a verifiable credential', () => {
  it('proves age_over_18 and nothing else', async () => {
    const { ledger, alice, agency, credential } = await world();
    expect(allBytes(credential)).toContain('2004-05-06');
    // Every disclosure's salt carries at least 128 bits (RFC 9901), so an undisclosed birth date
    // cannot be found by hashing candidate dates.
    const salts = credential
      .split('~')
      .slice(1)
      .filter((d) => d !== '')
      .map((d) => (JSON.parse(Buffer.from(d, 'base64url').toString()) as [string])[0]);
    expect(salts).toHaveLength(3);
    for (const salt of salts) {
      expect(Buffer.from(salt, 'base64url').length).toBeGreaterThanOrEqual(16);
    }
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW);
    const bytes = allBytes(presentation);
    expect(bytes).not.toContain('2004-05-06');
    expect(bytes).not.toContain('Centrum');
    expect(bytes).not.toContain('birth_date');

    const verified = await verifyPresentation(presentation, reader(ledger), challenge, NOW);
    expect(verified).toEqual({ issuer: agency.did, issuerName: 'Youth Services', holder: alice.did, type: 'AgeCredential', claims: { age_over_18: true } });
  });

  it('refuses a revoked credential, and one whose issuer is suspended or untrusted', async () => {
    const { ledger, alice, agency, credential, statusIndex } = await world();
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW);
    const payload = {
      action: 'identity:SetCredentialStatus',
      channel: 'civic',
      did: agency.did,
      nonce: 'revoke-0000000001',
      purpose: 'revocation',
      index: statusIndex,
      value: true,
    };
    const signature = sign(null, Buffer.from(canonicalize(payload) ?? ''), { key: agency.privateKeyJwk, format: 'jwk' }).toString('base64url');
    await ledger.tx({ mspId: 'AgenciesMSP', role: 'issuer' }, (ctx) =>
      contract.SetCredentialStatus(ctx, JSON.stringify({ did: agency.did, payload, signature })),
    );
    const revoked = await rejection(verifyPresentation(presentation, reader(ledger), challenge, NOW));
    expect(revoked.message).toBe('REVOKED: the credential was revoked by Youth Services');

    const other = await world();
    await other.ledger.tx(cityAdmin, (ctx) => contract.SetIssuerStatus(ctx, JSON.stringify({ did: other.agency.did, status: 'suspended' })));
    const otherPresentation = await presentCredential(other.credential, other.alice, ['age_over_18'], challenge, NOW);
    expect((await rejection(verifyPresentation(otherPresentation, reader(other.ledger), challenge, NOW))).code).toBe('ISSUER_SUSPENDED');
    expect((await rejection(verifyPresentation(otherPresentation, reader(ledger), challenge, NOW))).code).toBe('UNTRUSTED_ISSUER');
  });

  it('refuses a presentation replayed for another verifier challenge', async () => {
    const { ledger, alice, credential } = await world();
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW);
    expect((await rejection(verifyPresentation(presentation, reader(ledger), { ...challenge, nonce: 'another-nonce-123' }, NOW))).code).toBe('WRONG_CHALLENGE');
    expect((await rejection(verifyPresentation(presentation, reader(ledger), { ...challenge, audience: 'https://bar.example' }, NOW))).code).toBe(
      'WRONG_CHALLENGE',
    );
  });

  it('refuses a changed disclosure', async () => {
    const { ledger, alice, credential } = await world();
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW);
    const parts = presentation.split('~');
    const disclosure = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as unknown[];
    parts[1] = Buffer.from(JSON.stringify([disclosure[0], disclosure[1], false])).toString('base64url');
    const e = await rejection(verifyPresentation(parts.join('~'), reader(ledger), challenge, NOW));
    expect(e.code).toBe('BAD_DISCLOSURE');
  });

  it('refuses a credential whose signed claims were altered (e.g. a swapped holder)', async () => {
    const { ledger, credential } = await world();
    const mallory = generateCitizenKey();
    await register(ledger, mallory);
    const [jwt = '', ...rest] = credential.split('~');
    const [header = '', body = '', signature = ''] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: mallory.did, cnf: { jwk: mallory.publicKeyJwk } })).toString('base64url');
    const tampered = [`${header}.${forged}.${signature}`, ...rest].join('~');
    const presentation = await presentCredential(tampered, mallory, ['age_over_18'], challenge, NOW);
    expect((await rejection(verifyPresentation(presentation, reader(ledger), challenge, NOW))).code).toBe('BAD_SIGNATURE');
  });

  it('refuses a credential presented by someone other than its holder', async () => {
    const { ledger, credential } = await world();
    const mallory = generateCitizenKey();
    await register(ledger, mallory);
    const stolen = await presentCredential(credential, mallory, ['age_over_18'], challenge, NOW);
    expect((await rejection(verifyPresentation(stolen, reader(ledger), challenge, NOW))).code).toBe('HOLDER_MISMATCH');
  });

  it('refuses a presentation by a holder whose DID is deactivated, and says so', async () => {
    const { ledger, alice, credential } = await world();
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW);
    const proof = signWithKey(alice, deactivatePayload('civic', alice.did, 0));
    await ledger.tx(clerk, (ctx) => contract.DeactivateDID(ctx, JSON.stringify({ did: alice.did, sequence: 0, proof })));
    expect((await rejection(verifyPresentation(presentation, reader(ledger), challenge, NOW))).message).toBe(
      `HOLDER_MISMATCH: the holder's DID ${alice.did} is deactivated; it holds no key any more`,
    );
  });

  it('refuses an expired credential and a stale presentation', async () => {
    const { ledger, alice, credential } = await world();
    const late = NOW + 366 * 86_400;
    const presentation = await presentCredential(credential, alice, ['age_over_18'], challenge, late);
    const expired = await rejection(verifyPresentation(presentation, reader(ledger), challenge, late));
    expect(expired.message).toBe(`EXPIRED: the credential expired at ${new Date((NOW + 365 * 86_400) * 1000).toISOString().replace('.000Z', 'Z')}`);
    const old = await presentCredential(credential, alice, ['age_over_18'], challenge, NOW - 3000);
    expect((await rejection(verifyPresentation(old, reader(ledger), challenge, NOW))).code).toBe('STALE_PRESENTATION');
  });
});
