import { Command } from 'commander';
import { identityCommand } from './commands/identity';
import { landCommand } from './commands/land';
import { allocationCommand } from './commands/allocation';
import { debtCommand } from './commands/debt';
import { petitionCommand } from './commands/petition';
import { networkCommand } from './commands/network';
import { staffCommand } from './commands/staff';
import { channelCommand, orgCommand } from './commands/join';
import { ledgerCommand } from './commands/ledger';
import { eventsCommand } from './commands/events';
import { peerCommand } from './commands/peer';
import { processRuntime, type Runtime } from './context';

/**
 * Build the `civic` program: global options and one command per area.
 *
 * @param runtime - output and environment (tests pass their own)
 */
export function buildProgram(runtime: Runtime = processRuntime): Command {
  const program = new Command('civic')
    .description("Civic Ledger: operate the city's Hyperledger Fabric network and its public services")
    .option('--org <org>', 'the org to act for: city, agencies or utilities', 'city')
    .option('--user <user>', "an enrolled identity in the org's wallet", 'admin')
    .option('--profile <file>', "connection profile (default: the org's generated profile)")
    .option('--json', 'print one JSON envelope {status, result|error}', false)
    .option('--verbose', 'show full error detail and retries', false)
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExamples:\n  civic network up\n  civic --org agencies --user clerk identity register --key alice.key.json\n  civic --json network status',
    );
  program.addCommand(networkCommand(runtime));
  program.addCommand(staffCommand(runtime));
  program.addCommand(identityCommand(runtime));
  program.addCommand(landCommand(runtime));
  program.addCommand(allocationCommand(runtime));
  program.addCommand(debtCommand(runtime));
  program.addCommand(petitionCommand(runtime));
  program.addCommand(ledgerCommand(runtime));
  program.addCommand(eventsCommand(runtime));
  program.addCommand(orgCommand(runtime));
  program.addCommand(channelCommand(runtime));
  program.addCommand(peerCommand(runtime));
  forEachCommand(program, (command) => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (t) => {
        runtime.io.out(t.trimEnd());
      },
      writeErr: (t) => {
        runtime.io.err(t.trimEnd());
      },
    });
  });
  return program;
}

/** Apply settings to a command and all its subcommands (addCommand does not inherit them). */
function forEachCommand(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const sub of command.commands) {
    forEachCommand(sub, apply);
  }
}

/**
 * Run the CLI. Commander's own usage errors exit 1 (help exits 0); everything else sets
 * `process.exitCode` (1 user/contract error, 2 network/unexpected error).
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    process.exitCode = code === 0 ? 0 : 1;
  }
}
