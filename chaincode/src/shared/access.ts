import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';

/** The certificate attribute, set by each org's Fabric CA, that carries a staff member's role. */
export const ROLE_ATTRIBUTE = 'civic.role';

/** The MSP IDs of the founding organisations: each holds a debt collection of its own. */
export const MSP_IDS = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP'] as const;
export type MspId = (typeof MSP_IDS)[number];

/**
 * Organisations that join the running channel by a config update that a majority of the
 * members' admins sign (README, "Joining the network"). Their staff may call what is open to
 * every org; they hold no debt collection, so the debt contract's creditor transactions stay
 * the founders'. A peer refuses proposals from an MSP that is not on the channel, so naming
 * an org here before it joins opens nothing.
 */
export const JOINED_MSP_IDS = ['HarbourMSP'] as const;

/** Every org whose staff may call the transactions open to all members. */
export const MEMBER_MSP_IDS = [...MSP_IDS, ...JOINED_MSP_IDS] as const;
export type MemberMspId = (typeof MEMBER_MSP_IDS)[number];

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
export interface AccessRule<M extends MemberMspId = MemberMspId> {
  /** Organisations whose members may call; defaults to every member org ({@link MEMBER_MSP_IDS}). */
  readonly msps?: readonly M[];
  /** Roles (any of) the caller's certificate must carry; omitted means any member. */
  readonly roles?: readonly Role[];
}

/** The caller as the chaincode sees it. */
export interface Caller<M extends MemberMspId = MemberMspId> {
  readonly mspId: M;
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
export function authorize<M extends MemberMspId = MemberMspId>(ctx: Context, rule: AccessRule<M>, action: string): Caller<M> {
  const mspId = ctx.clientIdentity.getMSPID();
  const role = ctx.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE) ?? undefined;
  const msps: readonly string[] = rule.msps ?? MEMBER_MSP_IDS;
  if (!msps.includes(mspId)) {
    throw new ChaincodeError('FORBIDDEN', `${action} is not open to members of ${mspId} (allowed: ${msps.join(', ')})`);
  }
  if (rule.roles !== undefined && (role === undefined || !(rule.roles as readonly string[]).includes(role))) {
    throw new ChaincodeError(
      'FORBIDDEN',
      `${action} requires role ${rule.roles.join(' or ')}; caller from ${mspId} has ${role === undefined ? 'no role' : `role ${role}`}`,
    );
  }
  return { mspId: mspId as M, role };
}
