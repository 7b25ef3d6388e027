'use strict';
// bench:Put of a unique key (run, worker, sequence) and a 100-byte value, as a clerk.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { orgOf } = require('./orgs');

class PutWorkload extends WorkloadModuleBase {
  async submitTransaction() {
    this.sequence = (this.sequence ?? 0) + 1;
    const key = `caliper-${String(this.roundIndex)}-${String(process.pid)}-${String(this.workerIndex)}-${String(this.sequence)}`;
    await this.sutAdapter.sendRequests({
      contractId: 'civic',
      contractFunction: 'bench:Put',
      contractArguments: [key, 'v'.repeat(100)],
      invokerIdentity: 'clerk',
      invokerMspId: orgOf(this.workerIndex, this.sequence),
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new PutWorkload();
