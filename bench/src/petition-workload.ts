import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import type { CitizenKeyFile } from '@civic-ledger/cli/dist/citizen/key-file';
import { blindSign } from '@civic-ledger/cli/dist/petition/blind-rsa';
import { finishToken, requestToken } from '@civic-ledger/cli/dist/petition/citizen';
import type { TokenKeyFile } from '@civic-ledger/cli/dist/petition/files';
import { civic } from './civic-cli';
import { stepOnly, submitAllClosedLoop } from './preload';
import { ORGS } from './sessions';
import type { TxSpec } from './submit';
import type { Workload, WorkloadContext } from './workloads';

/**
 * Open a petition for this run through the CLI (City clerk), keeping its token key.
 *
 * @returns the petition as the ledger holds it and its token key (RSA private key included)
 */
async function openPetition(ctx: WorkloadContext, petitionId: string): Promise<{ petition: PetitionRecord; tokenKey: TokenKeyFile }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'civic-bench-petition-'));
  const text = path.join(dir, 'petition.txt');
  const keyFile = path.join(dir, 'token-key.json');
  writeFileSync(text, 'A petition the load runner signs.\n');
  const closes = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  civic(
    [
      ...['--org', 'city', '--user', 'clerk', 'petition', 'create', '--id', petitionId, '--title', 'bench', '--text-file', text],
      ...['--threshold', '1000000', '--closes', closes, '--credential-type', 'ResidencyCredential', '--require', 'resident_of=Civitas'],
      ...['--key-out', keyFile],
    ],
    ctx.env,
  );
  const tokenKey = JSON.parse(readFileSync(keyFile, 'utf8')) as TokenKeyFile;
  const raw = await ctx.sessions.of('city', 'auditor').contract('petition').evaluateTransaction('GetPetition', petitionId);
  return { petition: JSON.parse(Buffer.from(raw).toString('utf8')) as PetitionRecord, tokenKey };
}

/**
 * A citizen's finished token, made the RFC 9474 way (blind, blind-sign with the petition's key,
 * finalize) as the City's issuing desk would, less its credential check (off the ledger), with
 * the desk's `petition:RecordTokenIssuance` transaction (City issuer) to submit before signing.
 */
async function tokenOf(
  key: CitizenKeyFile,
  petition: PetitionRecord,
  tokenKey: TokenKeyFile,
): Promise<{ issuance: TxSpec; token: { petitionId: string; token: string; signature: string } }> {
  const { request, state } = await requestToken(key, petition);
  const blindSignature = await blindSign(tokenKey.privateKey, Buffer.from(request.blindedMsg, 'base64url'));
  const token = await finishToken(state, {
    petitionId: petition.petitionId,
    did: key.did,
    blindSignature: blindSignature.toString('base64url'),
    issuanceTxId: '',
  });
  const issuance: TxSpec = { org: 'city', user: 'issuer', contract: 'petition', fn: 'RecordTokenIssuance', args: [JSON.stringify(request.authorisation)] };
  return { issuance, token };
}

/**
 * `petition:SignPetition`: each preloaded citizen signs (Yes) a petition opened for this run with
 * an RFC 9474 token issued beforehand (and its issuance recorded, so that the petition audits
 * clean), through the three orgs' clerks in turn. One token per
 * citizen per petition, so at most as many as there are preloaded DIDs.
 */
export const petitionWorkload: Workload = {
  name: 'petition',
  transaction: 'petition:SignPetition (clerk; blind-signature token)',
  orgs: 'city, agencies, utilities',
  prepare: async (ctx, count, label) => {
    const citizens = ctx.world.citizens;
    if (count > citizens.length) {
      throw new RangeError(`petition: ${String(count)} signatures need as many preloaded DIDs; there are ${String(citizens.length)}`);
    }
    const { petition, tokenKey } = await openPetition(ctx, `bench-${ctx.world.runId}-${label}`.toLowerCase());
    const txs: TxSpec[] = [];
    const issuances: TxSpec[] = [];
    for (let i = 0; i < count; i += 1) {
      const { issuance, token } = await tokenOf(citizens[i] as CitizenKeyFile, petition, tokenKey);
      issuances.push(issuance);
      txs.push({
        org: ORGS[i % ORGS.length] ?? 'city',
        user: 'clerk',
        contract: 'petition',
        fn: 'SignPetition',
        args: [JSON.stringify({ ...token, option: 'Yes', attributes: {} })],
      });
    }
    ctx.setup.push(stepOnly(await submitAllClosedLoop(ctx.sessions, `${String(count)} token issuances`, issuances, ctx.inFlight)));
    return txs;
  },
};
