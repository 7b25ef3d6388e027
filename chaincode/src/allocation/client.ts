/**
 * What a client (the `civic` CLI, an independent auditor) needs to recompute and explain a
 * draw from ledger data, without the contract: the one draw implementation and the record shapes.
 * Import as `@civic-ledger/chaincode/dist/allocation/client`.
 */
export {
  drawRandomness,
  explain,
  inputsDigest,
  promote,
  runDraw,
  seedFromShares,
  shareCommitment,
  type Application,
  type DrawResult,
  type Explanation,
  type Placement,
  type RoundSpec,
  type Site,
} from './draw';
export {
  applicationSchema,
  roundIdSchema,
  roundRecordSchema,
  roundSpecSchema,
  shareRecordSchema,
  type ApplicationRecord,
  type RoundRecord,
  type RoundSpecInput,
  type ShareRecord,
} from './round';
export type { DrawSummary, SiteChange } from './rounds';
export { MSP_IDS as MSP_ORDER } from '../shared/access';
