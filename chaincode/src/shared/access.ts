import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';

/** The certificate attribute, set by each org's Fabric CA, that carries a staff member's role. */
export const ROLE_ATTRIBUTE = 'civic.role';

/** The MSP IDs of the organisations on the civic channel. */
export const MSP_IDS = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP'] as const;
export type MspId = (typeof MSP_IDS)[number];

/** Staff roles, carried in {@link ROLE_ATTRIBUTE}. */
export const ROLES = [
  'admin',
  'clerk',
  'auditor',
  'issuer',
  'registrar',
  'court',
  'lender',
  'engineer',
  'allocation-officer',
  'debt-counsellor',
  'creditor',
] as const;
export type Role = (typeof ROLES)[number];

/** Who may call a transaction: a set of MSP IDs and, optionally, roles. */
export interface AccessRule {
  /** Organisations whose members may call; defaults to every org on the channel. */
  readonly msps?: readonly MspId[];
  /** Roles (any of) the caller's certificate must carry; omitted means any member. */
  readonly roles?: readonly Role[];
}

/** The caller as the chaincode sees it. */
export interface Caller {
  readonly mspId: MspId;
  readonly role: string | undefined;
}

/**
 * Check the submitting identity against an access rule. The one place access is decided.
 *
 * @param ctx - the transaction context
 * @param rule - who may call the transaction
 * @param action - the transaction name, used in the error message
 * @returns the caller's MSP ID and role
 * @throws ChaincodeError `FORBIDDEN` naming the caller's MSP ID and role and what was required
 */
export function authorize(ctx: Context, rule: AccessRule, action: string): Caller {
  const mspId = ctx.clientIdentity.getMSPID();
  const role = ctx.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE) ?? undefined;
  const msps: readonly string[] = rule.msps ?? MSP_IDS;
  if (!msps.includes(mspId)) {
    throw new ChaincodeError('FORBIDDEN', `${action} is not open to members of ${mspId} (allowed: ${msps.join(', ')})`);
  }
  if (rule.roles !== undefined && (role === undefined || !(rule.roles as readonly string[]).includes(role))) {
    throw new ChaincodeError(
      'FORBIDDEN',
      `${action} requires role ${rule.roles.join(' or ')}; caller from ${mspId} has ${role === undefined ? 'no role' : `role ${role}`}`,
    );
  }
  return { mspId: mspId as MspId, role };
}
