import { Command } from 'commander';
import type { Runtime } from '../context';
import { ledgerInfoCommand } from './ledger-info';
import { ledgerTxCommand } from './ledger-tx';
import { ledgerBlocksCommand } from './ledger-blocks';
import { ledgerVerifyCommand } from './ledger-verify';

/**
 * `civic ledger`: read the channel's blocks as an auditor: heights and hashes per peer,
 * blocks, one transaction, and a full verification of the hash chain and the orderers'
 * signatures.
 */
export function ledgerCommand(runtime: Runtime): Command {
  const ledger = new Command('ledger').description("audit the channel's ledger: heights, blocks, transactions and a full verification");
  ledger.addCommand(ledgerInfoCommand(runtime));
  ledger.addCommand(ledgerTxCommand(runtime));
  ledger.addCommand(ledgerBlocksCommand(runtime));
  ledger.addCommand(ledgerVerifyCommand(runtime));
  return ledger;
}
