import { ChaincodeError } from '../shared/errors';
import { newCitizenKey, signPayload, type CitizenKey } from '../test-support/citizen-keys';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { IdentityContract } from './identity-contract';
import type { DidResolutionResult } from './did-record';
import { deactivatePayload, registerPayload, rotatePayload } from './proofs';

const clerk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
const auditor: FakeIdentity = { mspId: 'UtilitiesMSP', role: 'auditor' };
const contract = new IdentityContract();

function registerRequest(key: CitizenKey, signer: CitizenKey = key): string {
  const proof = signPayload(signer, registerPayload('civic', key.did, key.publicKeyJwk));
  return JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof });
}

function rotateRequest(key: CitizenKey, next: CitizenKey, sequence: number, signer: CitizenKey = key): string {
  const payload = rotatePayload('civic', key.did, next.publicKeyJwk, sequence);
  return JSON.stringify({
    did: key.did,
    newPublicKeyJwk: next.publicKeyJwk,
    sequence,
    proof: signPayload(signer, payload),
    newKeyProof: signPayload(next, payload),
  });
}

function deactivateRequest(key: CitizenKey, sequence: number): string {
  return JSON.stringify({ did: key.did, sequence, proof: signPayload(key, deactivatePayload('civic', key.did, sequence)) });
}

async function resolve(ledger: FakeLedger, did: string): Promise<DidResolutionResult> {
  return JSON.parse(await ledger.tx(auditor, (ctx) => contract.ResolveDID(ctx, did))) as DidResolutionResult;
}

/** Expect a transaction to be refused with `code`, a message matching `detail`, and no state change. */
async function expectRefusal(ledger: FakeLedger, run: () => Promise<unknown>, code: string, detail: RegExp): Promise<void> {
  const before = ledger.snapshot();
  const events = ledger.events.length;
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChaincodeError);
  expect((error as ChaincodeError).code).toBe(code);
  expect((error as ChaincodeError).message).toMatch(detail);
  expect(ledger.snapshot()).toEqual(before);
  expect(ledger.events).toHaveLength(events);
}

describe('identity:RegisterDID', () => {
  it('registers a DID derived from the key and resolves it to a DID document', async () => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));

    const result = await resolve(ledger, alice.did);
    expect(result.didDocument.id).toBe(alice.did);
    expect(result.didDocument.verificationMethod).toEqual([
      { id: `${alice.did}#key-1`, type: 'JsonWebKey2020', controller: alice.did, publicKeyJwk: alice.publicKeyJwk },
    ]);
    expect(result.didDocument.authentication).toEqual([`${alice.did}#key-1`]);
    expect(result.didDocumentMetadata).toMatchObject({
      created: '2026-09-21T14:13:20.000Z',
      deactivated: false,
      versionId: 'tx0001',
      sequence: 0,
    });
    expect(ledger.events).toEqual([{ name: 'identity.DIDRegistered', payload: { did: alice.did, keyId: 'key-1', sequence: 0 } }]);
  });

  it('writes identical canonical bytes on every endorser', async () => {
    const alice = newCitizenKey();
    const request = registerRequest(alice);
    const [one, two] = [new FakeLedger(), new FakeLedger()];
    await one.tx(clerk, (ctx) => contract.RegisterDID(ctx, request));
    await two.tx({ mspId: 'CityMSP', role: 'clerk' }, (ctx) => contract.RegisterDID(ctx, request));
    expect(one.snapshot()).toEqual(two.snapshot());
    const stored = [...one.snapshot().values()][0] ?? '';
    expect(stored).toBe(JSON.stringify(sortKeysDeep(JSON.parse(stored))));
  });

  it('refuses a malformed DID, naming the field', async () => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    const bad = JSON.stringify({ ...JSON.parse(registerRequest(alice)), did: 'did:civic:not-a-thumbprint' });
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, bad)), 'INVALID_ARGUMENT', /^INVALID_ARGUMENT: request\.did: /);
  });

  it('refuses a DID that is not derived from the key', async () => {
    const ledger = new FakeLedger();
    const [alice, bob] = [newCitizenKey(), newCitizenKey()];
    const bad = JSON.stringify({ ...JSON.parse(registerRequest(alice)), did: bob.did });
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, bad)), 'INVALID_ARGUMENT', /not derived from request\.publicKeyJwk/);
  });

  it('refuses a proof of possession signed by another key', async () => {
    const ledger = new FakeLedger();
    const [alice, mallory] = [newCitizenKey(), newCitizenKey()];
    await expectRefusal(
      ledger,
      () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice, mallory))),
      'INVALID_SIGNATURE',
      /request\.proof is not a valid signature/,
    );
  });

  it('refuses a second registration of the same DID', async () => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice))), 'ALREADY_EXISTS', /already registered/);
  });

  it.each([
    ['not JSON', '{did:', /request is not valid JSON/],
    ['an unknown field', null, /request: Unrecognized key/],
    ['a private key member', 'private', /request\.publicKeyJwk: Unrecognized key/],
    ['a short signature', 'short', /request\.proof: must encode a 64-byte/],
  ])('refuses a request with %s', async (_label, variant, detail) => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    const base = JSON.parse(registerRequest(alice)) as Record<string, unknown>;
    const bodies: Record<string, string> = {
      private: JSON.stringify({ ...base, publicKeyJwk: { ...alice.publicKeyJwk, d: 'secret' } }),
      short: JSON.stringify({ ...base, proof: 'abc' }),
    };
    const body = variant === null ? JSON.stringify({ ...base, name: 'Alice' }) : (bodies[variant] ?? variant);
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, body)), 'INVALID_ARGUMENT', detail);
  });
});

describe('identity access control', () => {
  it.each([
    ['no role', { mspId: 'CityMSP' }, /requires role clerk; caller from CityMSP has no role/],
    ['the auditor role', auditor, /requires role clerk; caller from UtilitiesMSP has role auditor/],
  ])('refuses a write by a caller with %s', async (_label, identity: FakeIdentity, detail) => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    await expectRefusal(ledger, () => ledger.tx(identity, (ctx) => contract.RegisterDID(ctx, registerRequest(alice))), 'FORBIDDEN', detail);
  });

  it('lets the clerks of an org that joined the channel after the founders register, with no change to the chaincode', async () => {
    // The peer admits only identities of the channel's MSPs, so any MSP ID the chaincode sees is a member's.
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    await ledger.tx({ mspId: 'WaterboardMSP', role: 'clerk' }, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    expect((await resolve(ledger, alice.did)).didDocument.id).toBe(alice.did);
  });

  it('lets any channel member resolve, and refuses unknown or malformed DIDs', async () => {
    const ledger = new FakeLedger();
    const alice = newCitizenKey();
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    expect((await resolve(ledger, alice.did)).didDocument.id).toBe(alice.did);
    await expectRefusal(ledger, () => resolve(ledger, newCitizenKey().did), 'NOT_FOUND', /is not registered|does not exist/);
    await expectRefusal(ledger, () => resolve(ledger, 'did:web:example.org'), 'INVALID_ARGUMENT', /^INVALID_ARGUMENT: did: /);
  });
});

describe('identity:RotateKey and identity:DeactivateDID', () => {
  it('rotates to a new key, signed by the current key, and refuses a replay', async () => {
    const ledger = new FakeLedger();
    const [alice, next] = [newCitizenKey(), newCitizenKey()];
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    const request = rotateRequest(alice, next, 0);
    await ledger.tx(clerk, (ctx) => contract.RotateKey(ctx, request), 1_790_000_100);

    const result = await resolve(ledger, alice.did);
    expect(result.didDocument.verificationMethod.map((m) => m.publicKeyJwk)).toEqual([next.publicKeyJwk]);
    expect(result.didDocument.authentication).toEqual([`${alice.did}#key-2`]);
    expect(result.didDocumentMetadata).toMatchObject({ sequence: 1, updated: '2026-09-21T14:15:00.000Z' });
    expect(ledger.events.at(-1)).toEqual({ name: 'identity.KeyRotated', payload: { did: alice.did, keyId: 'key-2', sequence: 1 } });

    await expectRefusal(
      ledger,
      () => ledger.tx(clerk, (ctx) => contract.RotateKey(ctx, request)),
      'FAILED_PRECONDITION',
      /sequence 0 does not match .* current sequence 1/,
    );
  });

  it('refuses a rotation signed by the wrong key', async () => {
    const ledger = new FakeLedger();
    const [alice, next, mallory] = [newCitizenKey(), newCitizenKey(), newCitizenKey()];
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    await expectRefusal(
      ledger,
      () => ledger.tx(clerk, (ctx) => contract.RotateKey(ctx, rotateRequest(alice, next, 0, mallory))),
      'INVALID_SIGNATURE',
      /request\.proof is not a valid signature over the identity:RotateKey payload/,
    );
  });

  it('refuses a rotation without proof of possession of the new key', async () => {
    const ledger = new FakeLedger();
    const [alice, next] = [newCitizenKey(), newCitizenKey()];
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    const request = { ...(JSON.parse(rotateRequest(alice, next, 0)) as Record<string, unknown>) };
    request.newKeyProof = request.proof;
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RotateKey(ctx, JSON.stringify(request))), 'INVALID_SIGNATURE', /request\.newKeyProof/);
  });

  it('deactivates a DID for good: it resolves as deactivated and accepts no further change', async () => {
    const ledger = new FakeLedger();
    const [alice, next] = [newCitizenKey(), newCitizenKey()];
    await ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice)));
    await ledger.tx(clerk, (ctx) => contract.DeactivateDID(ctx, deactivateRequest(alice, 0)));

    const result = await resolve(ledger, alice.did);
    expect(result.didDocumentMetadata.deactivated).toBe(true);
    expect(result.didDocument.verificationMethod).toEqual([]);
    expect(ledger.events.at(-1)).toEqual({ name: 'identity.DIDDeactivated', payload: { did: alice.did, sequence: 1 } });

    await expectRefusal(
      ledger,
      () => ledger.tx(clerk, (ctx) => contract.RotateKey(ctx, rotateRequest(alice, next, 1))),
      'FAILED_PRECONDITION',
      /is deactivated/,
    );
    await expectRefusal(ledger, () => ledger.tx(clerk, (ctx) => contract.RegisterDID(ctx, registerRequest(alice))), 'ALREADY_EXISTS', /already registered/);
  });

  it('refuses to deactivate an unknown DID', async () => {
    const ledger = new FakeLedger();
    await expectRefusal(
      ledger,
      () => ledger.tx(clerk, (ctx) => contract.DeactivateDID(ctx, deactivateRequest(newCitizenKey(), 0))),
      'NOT_FOUND',
      /DID did:civic:.* does not exist/,
    );
  });
});

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeysDeep);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
