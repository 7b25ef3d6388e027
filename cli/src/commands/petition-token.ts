import { Command } from 'commander';
import { openCitizenKey } from '../citizen/open-key';
import { action, type Runtime } from '../context';
import { gatewayLedgerReader } from '../credentials/gateway-ledger-reader';
import { readInput } from '../input';
import { finishToken, requestToken } from '../petition/citizen';
import {
  blindSignatureFileSchema,
  blindingStateFileSchema,
  readPetitionFile,
  tokenKeyFileSchema,
  tokenRequestFileSchema,
  writePetitionFile,
} from '../petition/files';
import { issueToken } from '../petition/issuer';
import { withPetitionLedger } from '../petition/ledger';

/**
 * `civic petition token request | issue | finalize`: the RFC 9474 exchange. `request` and
 * `finalize` run on the citizen's side (their key, their secret blinding state); `issue` runs at
 * the City's issuing service, which never sees the token it signs.
 */
export function petitionTokenCommand(runtime: Runtime): Command {
  const token = new Command('token').description('get a token to sign a petition: request (citizen), issue (City issuer), finalize (citizen)');
  token
    .command('request')
    .description("citizen: blind a fresh token for the petition and sign a token request with the DID key (any org member's gateway reads the petition)")
    .requiredOption('--petition <id>', 'petition id')
    .requiredOption('--key <file>', "the citizen's key file")
    .requiredOption('--out <file>', 'the request to hand to the City (not secret)')
    .requiredOption('--state-out <file>', 'the blinding state to keep until finalize (secret, owner-only)')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org agencies --user clerk1 petition token request --petition riverside-sundays --key alice.key \\\n    --out alice.request.json --state-out alice.blinding.json',
    )
    .action(
      action(runtime, async (ctx, opts: { petition: string; key: string; out: string; stateOut: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const petition = await withPetitionLedger(ctx, (ledger) => ledger.petition(opts.petition));
        const { request, state } = await requestToken(key, petition);
        await writePetitionFile(opts.stateOut, state, '--state-out', true);
        await writePetitionFile(opts.out, request, '--out', false);
        ctx.printer.result(
          { request: opts.out, state: opts.stateOut },
          () => `token request for ${petition.petitionId} written to ${opts.out}; keep ${opts.stateOut} secret until finalize`,
        );
      }),
    );
  token
    .command('issue')
    .description(
      "City issuing service: check the citizen's credential against the petition's eligibility rule, record the issuance, return the blind signature (CityMSP issuer)",
    )
    .requiredOption('--request <file>', "the citizen's token request")
    .requiredOption('--presentation <file>', "the citizen's SD-JWT presentation of the required credential")
    .requiredOption('--audience <aud>', 'your verifier identifier (the presentation must be made for it)')
    .requiredOption('--nonce <nonce>', 'the nonce you gave the citizen')
    .requiredOption('--token-key <file>', "the petition's token key file (from petition create)")
    .requiredOption('--out <file>', 'the blind signature to hand back')
    .option('--log <file>', 'the issuance log (default: <token-key>.issued.jsonl)')
    .action(
      action(
        runtime,
        async (ctx, opts: { request: string; presentation: string; audience: string; nonce: string; tokenKey: string; out: string; log?: string }) => {
          const key = readPetitionFile(tokenKeyFileSchema, opts.tokenKey, '--token-key');
          const request = readPetitionFile(tokenRequestFileSchema, opts.request, '--request');
          const presentation = readInput(opts.presentation, '--presentation').toString('utf8').trim();
          const issued = await withPetitionLedger(ctx, (ledger, s) =>
            issueToken(ledger, gatewayLedgerReader(s.contract('identity')), key, opts.log ?? `${opts.tokenKey}.issued.jsonl`, {
              request,
              presentation,
              challenge: { audience: opts.audience, nonce: opts.nonce },
              now: Math.floor(Date.now() / 1000),
            }),
          );
          await writePetitionFile(opts.out, issued, '--out', false);
          ctx.printer.result(
            issued,
            () => `issued the token of ${issued.did} for ${issued.petitionId} (issuance tx ${issued.issuanceTxId}); blind signature in ${opts.out}`,
          );
        },
      ),
    );
  token
    .command('finalize')
    .description("citizen, offline: unblind the City's blind signature into a token that signs once and cannot be traced to you")
    .requiredOption('--state <file>', 'the blinding state from token request')
    .requiredOption('--blind-signature <file>', "the City's blind signature")
    .requiredOption('--out <file>', 'the token (secret until you sign, owner-only)')
    .action(
      action(runtime, async (ctx, opts: { state: string; blindSignature: string; out: string }) => {
        const state = readPetitionFile(blindingStateFileSchema, opts.state, '--state');
        const token = await finishToken(state, readPetitionFile(blindSignatureFileSchema, opts.blindSignature, '--blind-signature'));
        await writePetitionFile(opts.out, token, '--out', true);
        ctx.printer.result(
          { token: opts.out, petitionId: token.petitionId },
          () => `token for ${token.petitionId} written to ${opts.out}; sign through any org's gateway with petition sign`,
        );
      }),
    );
  return token;
}
