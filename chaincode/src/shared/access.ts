import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';

/** The certificate attribute, set by each org's Fabric CA, that carries a staff member's role. */
export const ROLE_ATTRIBUTE = 'civic.role';

/** The MSP IDs of the founding organisations: each holds a debt collection of its own. */
export const MSP_IDS = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP'] as const;
export type MspId = (typeof MSP_IDS)[number];

/**
 * The MSP ID of any org on the channel: a founding org or one that joined later by a config
 * update a majority of the members' admins signed. The peer admits a proposal only from an
 * identity of a channel MSP that meets /Channel/Application/Writers, so an MSP ID the chaincode
 * sees is always a channel member's.
 */
export type MemberMspId = string;

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
  /** Organisations whose members may call; omitted means every org on the channel. */
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
  const msps: readonly string[] | undefined = rule.msps;
  if (msps !== undefined && !msps.includes(mspId)) {
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
