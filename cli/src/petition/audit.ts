import { isDeepStrictEqual } from 'node:util';
import { tally, verifyToken, type IssuanceRecord, type PetitionRecord, type SignatureRecord, type Tally } from '@civic-ledger/chaincode/dist/petition/client';
import type { PetitionResults } from './ledger';

/** Everything an audit reads from the ledger. */
export interface PetitionAuditData {
  readonly petition: PetitionRecord;
  readonly signatures: readonly SignatureRecord[];
  readonly issuances: readonly IssuanceRecord[];
  /** What `petition:GetResults` reported. */
  readonly results: PetitionResults;
}

/** One recorded token, re-verified. */
export interface AuditedToken {
  readonly tokenId: string;
  readonly option: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly txId: string;
  /** `null` when the signature verifies under the petition's key and the token id matches; otherwise what is wrong. */
  readonly problem: string | null;
}

/** The audit: every token with its check, the recomputed tally, and every finding. */
export interface PetitionAudit {
  readonly petitionId: string;
  readonly issued: number;
  readonly tokens: readonly AuditedToken[];
  readonly tally: Tally;
  /** Empty when every check passed. */
  readonly findings: readonly string[];
}

function checkToken(petition: PetitionRecord, s: SignatureRecord): string | null {
  try {
    const tokenId = verifyToken(petition.petitionId, petition.publicKey, s.token, s.signature);
    if (tokenId !== s.tokenId) {
      return `recorded under token id ${s.tokenId}, but the token hashes to ${tokenId}`;
    }
  } catch (e) {
    return (e as Error).message;
  }
  if (!petition.options.includes(s.option)) {
    return `option ${s.option} is not an option of the petition`;
  }
  const badBand = Object.entries(s.attributes).find(([a, band]) => !(petition.attributes[a] ?? []).includes(band));
  return badBand === undefined ? null : `attribute ${badBand[0]}=${badBand[1]} is not a band of the petition`;
}

/**
 * Audit a petition from ledger data alone (`civic petition audit`): re-verify every
 * recorded token's RFC 9474 signature with the petition's public key (as RSASSA-PSS, the same check
 * the chaincode made), check that no token is counted twice and that there are no more signatures
 * than tokens issued, then recompute the counts and compare them with the live results and, once
 * closed, with the stored final counts.
 *
 * @returns the audit; `findings` lists every discrepancy, empty when all checks pass
 */
export function auditPetition(data: PetitionAuditData): PetitionAudit {
  const { petition } = data;
  const tokens = data.signatures.map((s) => ({
    tokenId: s.tokenId,
    option: s.option,
    attributes: s.attributes,
    txId: s.txId,
    problem: s.petitionId === petition.petitionId ? checkToken(petition, s) : `recorded for petition ${s.petitionId}`,
  }));
  const findings = tokens.filter((t) => t.problem !== null).map((t) => `token ${t.tokenId} (tx ${t.txId}): ${t.problem ?? ''}`);
  const seen = new Set<string>();
  for (const t of tokens) {
    if (seen.has(t.tokenId)) {
      findings.push(`token ${t.tokenId} is recorded more than once`);
    }
    seen.add(t.tokenId);
  }
  if (data.signatures.length > data.issuances.length) {
    findings.push(`${String(data.signatures.length)} signatures recorded but only ${String(data.issuances.length)} tokens issued`);
  }
  const recomputed = tally(petition, data.signatures);
  const reported: Tally = {
    total: data.results.total,
    counts: data.results.counts,
    thresholdReached: data.results.thresholdReached,
    k: data.results.k,
    bands: data.results.bands,
  };
  if (!isDeepStrictEqual(reported, recomputed)) {
    findings.push(
      `the live results (${JSON.stringify(reported.counts)}, total ${String(reported.total)}) differ from the recount (${JSON.stringify(recomputed.counts)}, total ${String(recomputed.total)})`,
    );
  }
  if (petition.final !== null && (petition.final.total !== recomputed.total || !isDeepStrictEqual(petition.final.counts, recomputed.counts))) {
    findings.push(`the final counts stored at close (${JSON.stringify(petition.final.counts)}) differ from the recount (${JSON.stringify(recomputed.counts)})`);
  }
  return { petitionId: petition.petitionId, issued: data.issuances.length, tokens, tally: recomputed, findings };
}
