import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { verifyToken } from '@civic-ledger/chaincode/dist/petition/client';
import { petitionContract } from '../../chaincode/src/test-support/petition-fixtures';
import { proposalRequest } from '../../cli/src/commands/petition-create';
import { requestToken } from '../../cli/src/petition/citizen';
import { issueToken } from '../../cli/src/petition/issuer';
import { presentCredential } from '../../cli/src/credentials/present';
import { civicInProcess } from '../support/civic-in-process';
import { identityReader } from '../support/identity-reader';
import { CHALLENGE, NOW, newCitizen, petitionWorld } from '../support/petition-world';

/**
 * The petition commands that need no network: `petition token finalize` (the citizen's offline
 * step) on files the real exchange produced, and the refusals of malformed options before any
 * key is generated or anything is sent.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-petition-cli-'));
const file = (name: string): string => path.join(dir, name);
const home = { CIVIC_HOME: dir };

describe('civic petition token finalize (offline, on the citizen side)', () => {
  it("turns the blinding state and the City's blind signature into an owner-only token the chaincode accepts, and never overwrites it", async () => {
    const world = await petitionWorld('library-hours');
    const citizen = await newCitizen(world);
    const { request, state } = await requestToken(citizen.key, await world.petitions.petition('library-hours'));
    const presentation = await presentCredential(citizen.credential, citizen.key, ['resident_of', 'age_over_16'], CHALLENGE, NOW);
    const blindSig = await issueToken(world.petitions, identityReader(world.ledger), world.tokenKey, world.logFile, {
      request,
      presentation,
      challenge: CHALLENGE,
      now: NOW,
    });
    writeFileSync(file('state.json'), JSON.stringify(state));
    writeFileSync(file('blind-sig.json'), JSON.stringify(blindSig));

    const args = ['petition', 'token', 'finalize', '--state', file('state.json'), '--blind-signature', file('blind-sig.json'), '--out', file('token.json')];
    const run = await civicInProcess(args, home);
    expect(run).toMatchObject({ code: 0, out: `token for library-hours written to ${file('token.json')}; sign through any org's gateway with petition sign` });
    expect(statSync(file('token.json')).mode & 0o777).toBe(0o600);
    const token = JSON.parse(readFileSync(file('token.json'), 'utf8')) as { token: string; signature: string };
    expect(verifyToken('library-hours', world.tokenKey.publicKey, token.token, token.signature)).toMatch(/^[0-9a-f]{64}$/);
    expect((await civicInProcess(args, home)).err).toBe(`error: --out: ${file('token.json')} already exists; choose a new file`);

    const wrong = { ...blindSig, blindSignature: Buffer.alloc(256, 1).toString('base64url') };
    writeFileSync(file('wrong-sig.json'), JSON.stringify(wrong));
    const refused = await civicInProcess([...args.slice(0, 5), '--blind-signature', file('wrong-sig.json'), '--out', file('token2.json')], home);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^error: the blind signature does not finalize to a valid token signature for this blinding state/);
    expect(existsSync(file('token2.json'))).toBe(false);
  }, 30_000);
});

describe('civic petition propose', () => {
  it("signs a proposal the petition contract records, with the text's hash and not the text", async () => {
    const world = await petitionWorld('library-hours');
    const citizen = await newCitizen(world);
    writeFileSync(file('proposal.txt'), 'Keep the library open until 22:00 on weekdays.');
    const opts = {
      id: 'late-library',
      kind: 'petition' as const,
      title: 'Late library',
      textFile: file('proposal.txt'),
      threshold: '300',
      closes: '2027-03-01T00:00:00Z',
      credentialType: 'ResidencyCredential',
      require: ['resident_of=Civitas'],
    };
    const signed = proposalRequest(citizen.key, opts);
    const recorded = JSON.parse(
      await world.ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk' }, (ctx) => petitionContract.ProposePetition(ctx, JSON.stringify(signed)), NOW),
    ) as Record<string, unknown>;
    expect(recorded).toMatchObject({
      proposalId: 'late-library',
      proposer: citizen.key.did,
      status: 'proposed',
      threshold: 300,
      options: ['Yes', 'No'],
      textHash: createHash('sha256').update('Keep the library open until 22:00 on weekdays.').digest('hex'),
    });
    expect(JSON.stringify(recorded)).not.toContain('22:00');
  });
});

describe('malformed petition options are refused before anything is generated or sent', () => {
  it('names the option and what is wrong', async () => {
    writeFileSync(file('text.txt'), 'Open the library on Sundays.');
    const create = [
      'petition',
      'create',
      '--id',
      'p-one',
      '--title',
      'T',
      '--text-file',
      file('text.txt'),
      '--closes',
      '2027-01-01T00:00:00Z',
      '--credential-type',
      'ResidencyCredential',
      '--require',
      'resident_of=Civitas',
      '--key-out',
      file('p.key'),
    ];
    expect((await civicInProcess(create, home)).err).toBe('error: --threshold is required for a petition (and only for a petition)');
    expect((await civicInProcess([...create, '--kind', 'poll', '--option', 'North'], home)).err).toBe(
      'error: a poll needs --option with at least two options, and no --threshold',
    );
    expect((await civicInProcess([...create, '--threshold', 'many'], home)).err).toBe("error: --threshold: 'many' is not a positive whole number");
    expect((await civicInProcess([...create, '--threshold', '10', '--key-bits', '1024'], home)).err).toBe('error: --key-bits: must be 2048, 3072 or 4096');
    expect(existsSync(file('p.key'))).toBe(false);
    const sign = ['petition', 'sign', '--token', file('missing.json'), '--option', 'Yes'];
    expect((await civicInProcess(sign, home)).err).toMatch(/^error: --token: cannot read .*missing\.json: ENOENT$/);
    writeFileSync(file('t.json'), JSON.stringify({ petitionId: 'p-one', token: 'AAAA', signature: 'AAAA' }));
    expect((await civicInProcess(['petition', 'sign', '--token', file('t.json'), '--option', 'Yes', '--band', 'district'], home)).err).toBe(
      "error: --band: 'district' is not name=value",
    );
  });
});
