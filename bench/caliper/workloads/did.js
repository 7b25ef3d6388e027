'use strict';
// identity:RegisterDID of a fresh citizen key, signed with the CLI's own code (build first), as a clerk.
const path = require('node:path');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { orgOf } = require('./orgs');

const repo = path.resolve(__dirname, '../../..');
const { generateCitizenKey, signWithKey } = require(path.join(repo, 'cli/dist/citizen/key-file'));
const { registerPayload } = require(path.join(repo, 'chaincode/dist/identity/client'));

class DidWorkload extends WorkloadModuleBase {
  async submitTransaction() {
    this.sequence = (this.sequence ?? 0) + 1;
    const key = generateCitizenKey();
    const proof = signWithKey(key, registerPayload('civic', key.did, key.publicKeyJwk));
    await this.sutAdapter.sendRequests({
      contractId: 'civic',
      contractFunction: 'identity:RegisterDID',
      contractArguments: [JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })],
      invokerIdentity: 'clerk',
      invokerMspId: orgOf(this.workerIndex, this.sequence),
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new DidWorkload();
