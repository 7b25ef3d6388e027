'use strict';
// debt:RecordDebt into the creditor's own collection (transient data). Caliper 0.6's fabric-gateway
// connector refuses targetOrganizations, so the gateway picks the endorsers from the collection's
// policy itself (the creditor's own peer), as it does for a private-data write.
const { Buffer } = require('node:buffer');
const { randomBytes } = require('node:crypto');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { orgOf } = require('./orgs');

/** A DID that need not be registered: RecordDebt does not look the subject up. */
const SUBJECT = `did:civic:${'A'.repeat(43)}`;

class DebtWorkload extends WorkloadModuleBase {
  async submitTransaction() {
    this.sequence = (this.sequence ?? 0) + 1;
    const msp = orgOf(this.workerIndex, this.sequence);
    const debt = {
      debtId: randomBytes(16).toString('hex'),
      subject: SUBJECT,
      creditorReference: `CAL-${String(this.sequence)}`,
      amountCents: 1000 + this.sequence,
      origin: 'caliper',
      since: '2026-07-01',
    };
    await this.sutAdapter.sendRequests({
      contractId: 'civic',
      contractFunction: 'debt:RecordDebt',
      contractArguments: [],
      transientMap: { debt: Buffer.from(JSON.stringify(debt)) },
      invokerIdentity: 'creditor',
      invokerMspId: msp,
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new DebtWorkload();
