// Preload (`NODE_OPTIONS=--require <this file>`) that shifts this process's clock by
// CIVIC_TEST_CLOCK_OFFSET_MS milliseconds: `Date.now()`, `new Date()` and `Date()` read the shifted
// time; a Date built from a given time is unchanged. Tests use it to give one `civic` run a wrong
// clock (@hyperledger/fabric-gateway stamps proposals with `new Date()`), leaving the network's alone.
'use strict';

const offset = Number(process.env.CIVIC_TEST_CLOCK_OFFSET_MS ?? '0');
if (!Number.isFinite(offset)) {
  throw new Error(`CIVIC_TEST_CLOCK_OFFSET_MS must be a number of milliseconds, not ${process.env.CIVIC_TEST_CLOCK_OFFSET_MS}`);
}
const RealDate = Date;

function ShiftedDate(...args) {
  if (new.target === undefined) {
    return new RealDate(RealDate.now() + offset).toString();
  }
  return args.length === 0 ? new RealDate(RealDate.now() + offset) : new RealDate(...args);
}
Object.setPrototypeOf(ShiftedDate, RealDate);
ShiftedDate.prototype = RealDate.prototype;
ShiftedDate.now = () => RealDate.now() + offset;
globalThis.Date = ShiftedDate;
