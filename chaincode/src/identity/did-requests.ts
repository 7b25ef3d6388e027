import { z } from 'zod';
import { didSchema, publicKeyJwkSchema, signatureSchema } from './did';

/** `identity:RegisterDID` request: the DID, its first key, and a proof of possession. */
export const registerRequestSchema = z
  .object({
    did: didSchema,
    publicKeyJwk: publicKeyJwkSchema,
    /** Ed25519 signature by `publicKeyJwk` over the canonical RegisterPayload. */
    proof: signatureSchema,
  })
  .strict();
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

/** `identity:RotateKey` request, authorised by the current key and proven by the new one. */
export const rotateRequestSchema = z
  .object({
    did: didSchema,
    newPublicKeyJwk: publicKeyJwkSchema,
    sequence: z.number().int().nonnegative(),
    /** Signature by the DID's current key over the canonical RotatePayload. */
    proof: signatureSchema,
    /** Signature by the new key over the same payload (proof of possession). */
    newKeyProof: signatureSchema,
  })
  .strict();
export type RotateRequest = z.infer<typeof rotateRequestSchema>;

/** `identity:DeactivateDID` request, authorised by the current key. */
export const deactivateRequestSchema = z
  .object({
    did: didSchema,
    sequence: z.number().int().nonnegative(),
    proof: signatureSchema,
  })
  .strict();
export type DeactivateRequest = z.infer<typeof deactivateRequestSchema>;
