/**
 * What a client (the `civic` CLI, an independent auditor) needs to create, sign and audit
 * petitions without the contract: record shapes, the token format and verification, and the one
 * tally. Import as `@civic-ledger/chaincode/dist/petition/client`.
 */
export {
  TOKEN_SUITE,
  eligibilitySchema,
  issuanceRecordSchema,
  petitionIdSchema,
  petitionRecordSchema,
  proposalRecordSchema,
  signatureRecordSchema,
  type IssuanceRecord,
  type PetitionRecord,
  type PetitionSpecInput,
  type ProposalRecord,
  type RsaPublicKeyJwk,
  type SignatureRecord,
} from './model';
export { NOT_STATED, tally, type BandResult, type Tally } from './tally';
export { PREFIX_BYTES, tokenIdOf, tokenMessage, verifyToken } from './token';
