import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors';
import { loadOrgConnection, type OrgConnection } from './gateway/profile';
import { readWalletIdentity, type WalletIdentity } from './gateway/wallet';
import { globalOptionsSchema, mspIdOf, parseOptions, unknownOrgMessage, type GlobalOptions } from './options';
import { Printer, processIo, type Io } from './output/printer';
import { civicPaths, type CivicPaths } from './paths';

/** What every command action gets: validated global options, paths and output. */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly paths: CivicPaths;
  readonly printer: Printer;
  /** The selected org's connection profile (`--org`, `--profile`). */
  connection(): OrgConnection;
  /** The selected wallet identity (`--user`) of the selected org. */
  identity(): WalletIdentity;
  /**
   * The org's peer to try first as gateway (`CIVIC_GATEWAY_PEER`, e.g. `peer1.city`);
   * undefined to start at a peer drawn at random once per process.
   */
  readonly gatewayPeer: string | undefined;
}

/** Environment of a CLI run; replaced in tests. */
export interface Runtime {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
}

export const processRuntime: Runtime = { io: processIo, env: process.env };

/**
 * Wrap a command action: build the context from the global options, run the
 * action, print any error as one line and set `process.exitCode` (never
 * `process.exit`, so `finally` blocks close gateway connections).
 *
 * @param runtime - where output goes and which environment to read
 * @param action - the command's work
 */
export function action<A extends unknown[]>(runtime: Runtime, run: (ctx: CommandContext, ...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const raw = command.optsWithGlobals();
    let printer = new Printer(runtime.io, { json: raw.json === true, verbose: raw.verbose === true });
    try {
      const options = parseOptions(globalOptionsSchema, raw);
      printer = new Printer(runtime.io, options);
      const paths = civicPaths(runtime.env);
      if (mspIdOf(options.org) === undefined && !existsSync(path.join(paths.profiles, `${options.org}.json`))) {
        throw new UsageError(unknownOrgMessage(options.org));
      }
      const ctx: CommandContext = {
        options,
        paths,
        printer,
        connection: () => loadOrgConnection(paths, options.org, options.profile),
        identity: () => readWalletIdentity(loadOrgConnection(paths, options.org, options.profile).walletDir, options.user),
        gatewayPeer: runtime.env.CIVIC_GATEWAY_PEER === '' ? undefined : runtime.env.CIVIC_GATEWAY_PEER,
      };
      await run(ctx, ...args);
    } catch (error) {
      process.exitCode = printer.error(error);
    }
  };
}
