/**
 * What a client (the `civic` CLI) needs to talk to the land registry, without the
 * contract itself: record shapes, request schemas and limits.
 * Import as `@civic-ledger/chaincode/dist/land/client`.
 */
export {
  IMPORT_BATCH_MAX,
  cadastralIdSchema,
  documentHashSchema,
  landUseSchema,
  locationSchema,
  registerParcelSchema,
  type ImportResult,
  type Offer,
  type Owner,
  type Parcel,
  type RegisterParcelRequest,
} from './parcel';
export type { OwnerPage, Provenance, ParcelVersion } from './queries';
export { fractionSchema, type Fraction } from '../shared/fraction';
