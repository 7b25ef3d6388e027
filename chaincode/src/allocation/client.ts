/**
 * What a client (the `civic` CLI, an independent auditor) needs to recompute and explain a
 * draw from ledger data, without the contract: the one draw implementation and the record shapes.
 * Import as `@civic-ledger/chaincode/dist/allocation/client`.
 */
export {
  commitmentOf,
  drawRandomness,
  explain,
  inputsDigest,
  promote,
  runDraw,
  type Application,
  type DrawResult,
  type Explanation,
  type Placement,
  type RoundSpec,
  type Site,
} from './draw';
export { applicationSchema, roundIdSchema, roundRecordSchema, roundSpecSchema, type ApplicationRecord, type RoundRecord, type RoundSpecInput } from './round';
export type { DrawSummary, SiteChange } from './rounds';
