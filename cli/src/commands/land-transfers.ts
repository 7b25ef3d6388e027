import type { Command } from 'commander';
import type { Offer, Parcel } from '@civic-ledger/chaincode/dist/land/client';
import { signAuthorisation } from '../citizen/key-file';
import { openCitizenKey } from '../citizen/open-key';
import { action, type Runtime } from '../context';
import { CHANNEL } from '../gateway/connect';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { euros } from '../output/money';
import { documentHash, parseEuroCents, parseShare } from '../land/arguments';

function describeOffer(o: Offer): string {
  return `offer ${o.offerId} on ${o.cadastralId}: ${String(o.share.num)}/${String(o.share.den)} from ${o.seller} to ${o.buyer} for ${euros(o.priceCents)} — ${o.status}`;
}

/** `land offer | accept | withdraw | approve`: a title transfer needs seller, buyer and registrar. */
export function addTransferCommands(land: Command, runtime: Runtime): void {
  land
    .command('offer')
    .description("the seller offers a share of a parcel to a buyer, signed with the seller's key (front desk: clerk or registrar)")
    .requiredOption('--key <file>', "the seller's key file")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--buyer <did>', "the buyer's DID")
    .requiredOption('--price <euros>', 'the price in euros, e.g. 325000 or 325000.50 (recorded in integer cents)')
    .option('--share <fraction>', 'the share offered, e.g. 1/2', '1')
    .option('--deed <file>', 'the new deed document (its SHA-256 is recorded)')
    .option('--deed-hash <sha256>', "or the deed document's SHA-256, hex")
    .addHelpText(
      'after',
      '\nExample:\n  civic --org agencies --user clerk land offer --key alice.key.json --parcel AM-K-1234 --buyer did:civic:… --price 325000 --deed deed.pdf',
    )
    .action(
      action(runtime, async (ctx, opts: { key: string; parcel: string; buyer: string; price: string; share: string; deed?: string; deedHash?: string }) => {
        const share = parseShare(opts.share, '--share');
        const priceCents = parseEuroCents(opts.price, '--price');
        const deedHash = documentHash(opts.deed, opts.deedHash, 'deed');
        const key = await openCitizenKey(runtime.env, opts.key);
        await withContract(ctx, 'land', async (c) => {
          const parcel = JSON.parse(await evaluate(c, 'GetParcel', [opts.parcel])) as Parcel;
          const signed = signAuthorisation(key, 'land:OfferTransfer', CHANNEL, {
            cadastralId: parcel.cadastralId,
            parcelVersion: parcel.version,
            share,
            buyer: opts.buyer,
            priceCents,
            deedHash,
          });
          await submitAndReport(ctx, c, 'OfferTransfer', [JSON.stringify(signed)], describeOffer);
        });
      }),
    );
  for (const [verb, fn, who, what] of [
    ['accept', 'AcceptOffer', 'buyer', 'the buyer accepts an offer'],
    ['withdraw', 'WithdrawOffer', 'seller', 'the seller withdraws an offer not yet approved'],
  ] as const) {
    land
      .command(verb)
      .description(`${what}, signed with the ${who}'s key (front desk: clerk or registrar)`)
      .requiredOption('--key <file>', `the ${who}'s key file`)
      .requiredOption('--parcel <id>', 'cadastral parcel id')
      .requiredOption('--offer <id>', 'the offer id (the transaction id of the offer)')
      .action(
        action(runtime, async (ctx, opts: { key: string; parcel: string; offer: string }) => {
          const key = await openCitizenKey(runtime.env, opts.key);
          const signed = signAuthorisation(key, `land:${fn}`, CHANNEL, { cadastralId: opts.parcel, offerId: opts.offer });
          await withContract(ctx, 'land', (c) => submitAndReport(ctx, c, fn, [JSON.stringify(signed)], describeOffer));
        }),
      );
  }
  land
    .command('approve')
    .description('approve an accepted offer: the share moves to the buyer (CityMSP registrar)')
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--offer <id>', 'the offer id')
    .addHelpText('after', '\nExample:\n  civic --org city --user registrar land approve --parcel AM-K-1234 --offer 5f3a…')
    .action(
      action(runtime, async (ctx, opts: { parcel: string; offer: string }) => {
        await withContract(ctx, 'land', (c) =>
          submitAndReport<Parcel>(
            ctx,
            c,
            'ApproveTransfer',
            [JSON.stringify({ cadastralId: opts.parcel, offerId: opts.offer })],
            (p) => `approved: parcel ${p.cadastralId} is now at version ${String(p.version)}`,
          ),
        );
      }),
    );
}
