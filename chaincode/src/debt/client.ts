/**
 * What a client (the `civic` CLI) needs for debt-sharing without the contract: record shapes,
 * the consent format, the consent id (SHA-256 of the RFC 8785 canonical signed consent) and the
 * pro-rata rule the chaincode applies. Import as `@civic-ledger/chaincode/dist/debt/client`.
 */
export {
  consentPayloadSchema,
  debtRecordSchema,
  planShareSchema,
  signedConsentSchema,
  type DebtRecord,
  type Plan,
  type PlanShare,
  type SignedConsent,
} from './model';
export { recordHash as consentIdOf } from './private-data';
export { shareProRata, type Claim, type Share } from './pro-rata';
