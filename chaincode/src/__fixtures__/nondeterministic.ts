// Lint fixture: every marked line must be flagged by the chaincode determinism
// rules (test/unit/determinism-lint.test.ts). Ignored by `npm run lint`, never built.
import { randomBytes } from 'node:crypto'; // flagged: randomBytes

export const clock = Date.now(); // flagged: Date.now
export const dice = Math.random(); // flagged: Math.random
export const today = new Date(); // flagged: new Date()
export const text = Date(); // flagged: Date()
export const salt = randomBytes(16);
export const hr = process.hrtime(); // flagged: process.hrtime
export const uuid = crypto.randomUUID(); // flagged: crypto.randomUUID
export function later(fn: () => void): void {
  setTimeout(fn, 10); // flagged: setTimeout
}
export const fromTx = new Date(1_790_000_000_000).toISOString();
