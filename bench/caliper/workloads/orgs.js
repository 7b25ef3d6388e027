'use strict';
// The three orgs a Caliper worker spreads its transactions over, as the load runner does.
const ORGS = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP'];

/** The MSP ID of the i-th transaction of worker `worker` (round robin over the orgs). */
function orgOf(worker, i) {
  return ORGS[(worker + i) % ORGS.length];
}

module.exports = { ORGS, orgOf };
