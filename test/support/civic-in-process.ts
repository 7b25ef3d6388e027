import { buildProgram } from '../../cli/src/index';

/**
 * Run the `civic` CLI in-process with captured output, for tests of commands that need no
 * network (usage errors, offline checks). Returns stdout, stderr and the exit code.
 */
export async function civicInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = buildProgram({ io: { out: (t) => out.push(t), err: (t) => err.push(t) }, env: { ...process.env, ...env } });
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'civic', ...args]);
  } catch (e) {
    process.exitCode = (e as { exitCode?: number }).exitCode ?? 1;
  }
  const code = process.exitCode;
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), code };
}
