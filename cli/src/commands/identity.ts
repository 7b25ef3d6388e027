import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { deactivatePayload, didSchema, registerPayload, rotatePayload, type DidResolutionResult } from '@civic-ledger/chaincode/dist/identity/client';
import { bindRotatedKey, generateCitizenKey, saveCitizenKey, signWithKey } from '../citizen/key-file';
import { obtainPassphrase } from '../citizen/passphrase';
import { openCitizenKey } from '../citizen/open-key';
import { action, type CommandContext, type Runtime } from '../context';
import { addCredentialCommands } from './credentials';
import { addIssuerCommands } from './issuers';
import type { Contract } from '@hyperledger/fabric-gateway';
import { CHANNEL } from '../gateway/connect';
import { withContract } from '../gateway/with-contract';
import { evaluate, submit, type Committed } from '../gateway/transactions';
import { UsageError } from '../errors';
import { parseJson, readInput } from '../input';

function printCommitted(ctx: CommandContext, what: string, committed: Committed): void {
  const doc = JSON.parse(committed.result) as DidResolutionResult;
  const receipt = { transactionId: committed.transactionId, blockNumber: committed.blockNumber.toString() };
  ctx.printer.result(
    { ...receipt, did: doc.didDocument.id, resolution: doc },
    () => `${what} ${doc.didDocument.id}\n  tx ${receipt.transactionId} in block ${receipt.blockNumber}`,
  );
  if (committed.attempts > 1) {
    ctx.printer.verbose(`committed after ${committed.attempts} attempts (MVCC conflicts retried)`);
  }
}

async function currentSequence(contract: Contract, did: string): Promise<number> {
  const doc = JSON.parse(await evaluate(contract, 'ResolveDID', [did])) as DidResolutionResult;
  return doc.didDocumentMetadata.sequence;
}

/** Write a new file readable by its owner only; refuses to overwrite. */
function writeNewFile(file: string, text: string): void {
  try {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new UsageError(`${file} ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists; refusing to overwrite it' : (e as Error).message}`);
  }
}

/** `civic identity keygen | register | resolve | rotate | deactivate`: the DID registry. */
export function identityCommand(runtime: Runtime): Command {
  const identity = new Command('identity').description("self-sovereign identity: citizens' DIDs on the ledger");
  identity
    .command('keygen')
    .description(
      'generate a citizen key pair (Ed25519) and its DID, on this device; the private key is encrypted under a passphrase (asked for, or $CIVIC_KEY_PASSPHRASE)',
    )
    .requiredOption('--out <file>', 'key file to write (owner-readable only; never overwritten)')
    .addHelpText('after', '\nExample:\n  civic identity keygen --out alice.key.json')
    .action(
      action(runtime, async (ctx, opts: { out: string }) => {
        const passphrase = await obtainPassphrase(runtime.env, opts.out, true);
        const key = generateCitizenKey();
        await saveCitizenKey(opts.out, key, passphrase);
        ctx.printer.result(
          { did: key.did, publicKeyJwk: key.publicKeyJwk, file: opts.out },
          () => `${key.did}\n  key written to ${opts.out} (private key encrypted under your passphrase)`,
        );
      }),
    );
  identity
    .command('registration-request')
    .description("a citizen's signed request to register their DID (proof of possession), to hand to a clerk")
    .requiredOption('--key <file>', "the citizen's key file")
    .requiredOption('--out <file>', 'where to write the request (JSON: did, publicKeyJwk, proof)')
    .addHelpText('after', '\nExample:\n  civic identity registration-request --key alice.key.json --out alice.registration.json')
    .action(
      action(runtime, async (ctx, opts: { key: string; out: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const request = { did: key.did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)) };
        writeNewFile(opts.out, `${JSON.stringify(request, null, 2)}\n`);
        ctx.printer.result({ ...request, file: opts.out }, () => `registration request for ${key.did} written to ${opts.out}`);
      }),
    );
  identity
    .command('register')
    .description("register a citizen's DID, with proof of possession signed by their key (clerk role)")
    .addOption(new Option('--key <file>', "the citizen's key file (signs the proof here)").conflicts('request'))
    .addOption(new Option('--request <file>', 'a signed request from `identity registration-request` (the key stays with the citizen)'))
    .addHelpText(
      'after',
      '\nExamples:\n  civic --org agencies --user clerk identity register --key alice.key.json\n  civic --org agencies --user clerk identity register --request alice.registration.json',
    )
    .action(
      action(runtime, async (ctx, opts: { key?: string; request?: string }) => {
        let request: string;
        if (opts.request !== undefined) {
          // Checked in full by the chaincode (schema, DID derivation, proof); here only that it is JSON.
          request = JSON.stringify(parseJson(readInput(opts.request, '--request').toString('utf8'), opts.request));
        } else if (opts.key !== undefined) {
          const key = await openCitizenKey(runtime.env, opts.key);
          request = JSON.stringify({
            did: key.did,
            publicKeyJwk: key.publicKeyJwk,
            proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)),
          });
        } else {
          throw new UsageError('register needs --key <file> or --request <file>');
        }
        const committed = await withContract(ctx, 'identity', (c) =>
          submit(c, 'RegisterDID', [request], (m) => {
            ctx.printer.verbose(m);
          }),
        );
        printCommitted(ctx, 'registered', committed);
      }),
    );
  identity
    .command('resolve')
    .description('resolve a DID to its DID document (any org member)')
    .argument('<did>', 'a did:civic DID')
    .addHelpText('after', '\nExample:\n  civic --org utilities --user auditor identity resolve did:civic:3yq...')
    .action(
      action(runtime, async (ctx, did: string) => {
        const parsed = didSchema.safeParse(did);
        if (!parsed.success) {
          throw new UsageError(`'${did}' is not a did:civic DID: ${parsed.error.issues[0]?.message ?? ''}`);
        }
        const doc = JSON.parse(await withContract(ctx, 'identity', (c) => evaluate(c, 'ResolveDID', [did]))) as DidResolutionResult;
        ctx.printer.result(doc, () => JSON.stringify(doc, null, 2));
      }),
    );
  identity
    .command('rotate')
    .description("replace a DID's key: signed by the current key, with proof of possession of the new one")
    .requiredOption('--key <file>', 'the current key file')
    .requiredOption('--new-key <file>', 'the new key file (from `identity keygen`)')
    .addHelpText(
      'after',
      '\nExample:\n  civic identity keygen --out alice-2.key.json\n  civic --user clerk identity rotate --key alice.key.json --new-key alice-2.key.json',
    )
    .action(
      action(runtime, async (ctx, opts: { key: string; newKey: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const next = await openCitizenKey(runtime.env, opts.newKey);
        const committed = await withContract(ctx, 'identity', async (c) => {
          const sequence = await currentSequence(c, key.did);
          const payload = rotatePayload(CHANNEL, key.did, next.publicKeyJwk, sequence);
          const request = {
            did: key.did,
            newPublicKeyJwk: next.publicKeyJwk,
            sequence,
            proof: signWithKey(key, payload),
            newKeyProof: signWithKey(next, payload),
          };
          return submit(c, 'RotateKey', [JSON.stringify(request)], (m) => {
            ctx.printer.verbose(m);
          });
        });
        // The new key now signs for this DID, not for the DID derived from it.
        bindRotatedKey(opts.newKey, key.did, {
          txId: committed.transactionId,
          sequence: (JSON.parse(committed.result) as DidResolutionResult).didDocumentMetadata.sequence,
        });
        printCommitted(ctx, 'rotated the key of', committed);
        ctx.printer.info(`${opts.newKey} now signs for ${key.did}`);
      }),
    );
  identity
    .command('deactivate')
    .description('deactivate a DID for good, signed by its current key')
    .requiredOption('--key <file>', 'the current key file')
    .action(
      action(runtime, async (ctx, opts: { key: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const committed = await withContract(ctx, 'identity', async (c) => {
          const sequence = await currentSequence(c, key.did);
          const request = { did: key.did, sequence, proof: signWithKey(key, deactivatePayload(CHANNEL, key.did, sequence)) };
          return submit(c, 'DeactivateDID', [JSON.stringify(request)], (m) => {
            ctx.printer.verbose(m);
          });
        });
        printCommitted(ctx, 'deactivated', committed);
      }),
    );
  addIssuerCommands(identity, runtime);
  addCredentialCommands(identity, runtime);
  return identity;
}
