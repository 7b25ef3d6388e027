import { newCitizenKey } from '../test-support/citizen-keys';
import { refused } from '../test-support/refusal';
import { FakeLedger } from '../test-support/fake-context';
import { cityAdmin, identityContract as contract, registeredCitizen } from '../test-support/identity-fixtures';

const issuerRequest = (did: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ did, name: 'Municipal Health Service', mspId: 'AgenciesMSP', credentialTypes: ['AgeCredential', 'ResidenceCredential'], ...extra });

describe('trusted issuers', () => {
  it('lets a City admin register an agency DID as issuer of named credential types', async () => {
    const ledger = new FakeLedger();
    const agency = await registeredCitizen(ledger);
    await ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(agency.did)));
    const issuer = JSON.parse(await ledger.tx(cityAdmin, (ctx) => contract.ResolveIssuer(ctx, agency.did))) as Record<string, unknown>;
    expect(issuer).toMatchObject({ did: agency.did, mspId: 'AgenciesMSP', status: 'active', credentialTypes: ['AgeCredential', 'ResidenceCredential'] });
    expect(ledger.events.at(-1)?.name).toBe('identity.IssuerRegistered');
  });

  it.each([
    [{ mspId: 'AgenciesMSP', role: 'admin' }, /not open to members of AgenciesMSP/],
    [{ mspId: 'CityMSP', role: 'clerk' }, /requires role admin; caller from CityMSP has role clerk/],
  ])('refuses registration by %o', async (identity, detail) => {
    const ledger = new FakeLedger();
    const agency = await registeredCitizen(ledger);
    const e = await refused(ledger, () => ledger.tx(identity, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(agency.did))));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toMatch(detail);
  });

  it('refuses an unregistered DID, a duplicate, an unknown org and a bad credential type', async () => {
    const ledger = new FakeLedger();
    expect((await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(newCitizenKey().did))))).code).toBe(
      'NOT_FOUND',
    );
    const agency = await registeredCitizen(ledger);
    await ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(agency.did)));
    expect((await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(agency.did))))).code).toBe('ALREADY_EXISTS');
    const other = await registeredCitizen(ledger);
    expect(
      (await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(other.did, { mspId: 'PortMSP' }))))).message,
    ).toMatch(/^INVALID_ARGUMENT: request\.mspId: /);
    expect(
      (await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(other.did, { credentialTypes: ['age'] })))))
        .message,
    ).toMatch(/^INVALID_ARGUMENT: request\.credentialTypes\.0: must be a credential type name/);
  });

  it('suspends and reinstates an issuer; retirement is final', async () => {
    const ledger = new FakeLedger();
    const agency = await registeredCitizen(ledger);
    await ledger.tx(cityAdmin, (ctx) => contract.RegisterIssuer(ctx, issuerRequest(agency.did)));
    for (const status of ['suspended', 'active', 'retired']) {
      const r = JSON.parse(await ledger.tx(cityAdmin, (ctx) => contract.SetIssuerStatus(ctx, JSON.stringify({ did: agency.did, status })))) as {
        status: string;
      };
      expect(r.status).toBe(status);
    }
    const e = await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.SetIssuerStatus(ctx, JSON.stringify({ did: agency.did, status: 'active' }))));
    expect(e.message).toMatch(/^FAILED_PRECONDITION: issuer did:civic:.* is retired$/);
  });
});

describe('credential schemas', () => {
  const ageSchema = {
    type: 'AgeCredential',
    version: 1,
    claims: [
      { name: 'age_over_18', type: 'boolean' },
      { name: 'age_over_16', type: 'boolean' },
    ],
  };

  it('registers a schema once and serves it to any member', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(cityAdmin, (ctx) => contract.RegisterCredentialSchema(ctx, JSON.stringify(ageSchema)));
    const got = JSON.parse(
      await ledger.tx({ mspId: 'UtilitiesMSP', role: 'auditor' }, (ctx) => contract.GetCredentialSchema(ctx, 'AgeCredential', '1')),
    ) as unknown;
    expect(got).toEqual(ageSchema);
    expect(await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterCredentialSchema(ctx, JSON.stringify(ageSchema))))).toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    expect(await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.GetCredentialSchema(ctx, 'AgeCredential', '2')))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses duplicate claim names', async () => {
    const ledger = new FakeLedger();
    const dup = {
      ...ageSchema,
      claims: [
        { name: 'district', type: 'string' },
        { name: 'district', type: 'string' },
      ],
    };
    const e = await refused(ledger, () => ledger.tx(cityAdmin, (ctx) => contract.RegisterCredentialSchema(ctx, JSON.stringify(dup))));
    expect(e.message).toBe('INVALID_ARGUMENT: request.claims: claim names must be unique');
  });
});
