import { z } from 'zod';
import { UsageError } from './errors';

/** The orgs of the network, by their short names, and their MSP IDs. */
export const ORG_MSP_IDS = { city: 'CityMSP', agencies: 'AgenciesMSP', utilities: 'UtilitiesMSP' } as const;
export type OrgName = keyof typeof ORG_MSP_IDS;

/** The MSP ID of an org's short name (`agencies` → `AgenciesMSP`), or undefined for anything else. */
export function mspIdOf(org: string): string | undefined {
  return (ORG_MSP_IDS as Record<string, string | undefined>)[org.trim()];
}

/** A short org name: a lowercase letter, then 1-15 lowercase letters or digits (network/lib/ports.sh). */
export const ORG_NAME = /^[a-z][a-z0-9]{1,15}$/;

/**
 * The MSP ID of any org's short name, founding or joined, as network/lib/ports.sh derives it
 * (`harbour` → `HarbourMSP`).
 */
export function orgMspId(org: string): string {
  return mspIdOf(org) ?? `${org.charAt(0).toUpperCase()}${org.slice(1)}MSP`;
}

/** The message for an --org that is neither a founding org nor one with a connection profile. */
export function unknownOrgMessage(org: string): string {
  return `unknown --org '${org}' (expected city, agencies or utilities, or an org that joined the channel from this network home)`;
}

const orgSchema = z.string().regex(ORG_NAME, { error: (issue) => unknownOrgMessage(String(issue.input)) });

/** Global options every command accepts. */
export const globalOptionsSchema = z.object({
  org: orgSchema.default('city'),
  user: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a --user name is letters, digits, dot, dash or underscore')
    .default('admin'),
  profile: z.string().optional(),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
});
export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

/**
 * Validate options at the boundary with a schema.
 *
 * @param schema - the options schema
 * @param raw - options as commander parsed them
 * @returns the typed options
 * @throws UsageError naming the first bad option
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.map(String).join('.');
    const message = issue?.message ?? 'invalid options';
    throw new UsageError(message.startsWith('unknown --') || name === undefined || name === '' ? message : `--${name}: ${message}`);
  }
  return result.data;
}
