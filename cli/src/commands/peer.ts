import { Command } from 'commander';
import { action, type Runtime } from '../context';
import { runNetworkScript } from './network';

/** What `network.sh peer-add` reports about the peer it added. */
export interface PeerAdded {
  readonly org: string;
  readonly mspId: string;
  /** The peer's id, e.g. `peer1.city`. */
  readonly peer: string;
  /** Its node name in `network status`, e.g. `peer1-city`. */
  readonly node: string;
  /** Its gRPC endpoint `host:port`. */
  readonly endpoint: string;
  readonly chaincodePort: number;
  /** Its operations endpoint (`/healthz`, `/metrics`), e.g. `http://127.0.0.1:37210`. */
  readonly operations: string;
  /** The endpoints it bootstraps gossip from: the org's other peers, its first peer first. */
  readonly gossipBootstrap: readonly string[];
  readonly channel: string;
  /** The chaincode package the org approved and the peer now holds; null when none is approved yet. */
  readonly packageId: string | null;
}

/** `civic peer add`: another peer of the `--org` (peer1, peer2, ...). */
export function peerCommand(runtime: Runtime): Command {
  const peer = new Command('peer').description("the org's peers: add another one beside its first");
  peer
    .command('add')
    .description(
      "start the org's next peer (peer1, peer2, ...): its own identity from the org's CA and its own ports, gossip from the org's first peer, joined to the channel, the org's approved chaincode installed",
    )
    .addHelpText('after', '\nExamples:\n  civic peer add --org city\n  civic --json peer add --org utilities')
    .action(
      action(runtime, async (ctx) => {
        const added = JSON.parse(await runNetworkScript(ctx, runtime, ['peer-add', ctx.options.org], true)) as PeerAdded;
        ctx.printer.result(
          added,
          () =>
            `${added.peer} (${added.mspId}) at ${added.endpoint} joined '${added.channel}'; operations ${added.operations}; ` +
            `chaincode ${added.packageId ?? 'not yet approved by the org'}`,
        );
      }),
    );
  return peer;
}
