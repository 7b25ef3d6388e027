import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { captured, capturedCreator } from '../test-support/ledger-fixtures';
import { decodeEnvelope, decodeProcessedTransaction, MalformedEnvelope, type DecodedEnvelope, type EndorserTransaction } from './transaction';

const kv = ledger.rwset.kvrwset;
const HEX64 = /^[0-9a-f]{64}$/;

function endorser(tx: DecodedEnvelope): EndorserTransaction {
  if (tx.kind !== 'endorser') {
    throw new Error(`expected an endorser transaction, got ${tx.kind}`);
  }
  return tx;
}

/** Every string anywhere in a value (keys and values of objects, items of arrays). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(strings);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  }
  return [];
}

describe('decoding real transactions captured from a live network', () => {
  it('a DID registration: creator, function without its argument, endorsers, validation code, reads and writes', () => {
    const tx = endorser(decodeProcessedTransaction(captured.registerDid.bytes));
    const didKey = '\u0000civic.identity.did\u0000did:civic:lrMYEEU99a-ougG-LY8IgAnEMu2jF4hGJxQN-kSfkr8\u0000';
    expect(tx).toMatchObject({
      txId: captured.registerDid.txId,
      channel: 'civic',
      type: 'ENDORSER_TRANSACTION',
      timestamp: '2026-12-01T00:58:38.330Z',
      creator: { mspId: 'AgenciesMSP', subject: 'C=NL, L=Civic Ledger, O=AgenciesMSP, OU=client, CN=clerk' },
      chaincode: 'civic',
      chaincodeVersion: '0.1.0-55249c48115a0b3cb3',
      function: 'identity:RegisterDID',
      argumentCount: 1,
      responseStatus: 200,
      validationCode: 'VALID',
    });
    expect(tx.endorsers).toEqual([
      { mspId: 'AgenciesMSP', subject: 'C=NL, L=Civic Ledger, O=AgenciesMSP, OU=peer, CN=peer0' },
      { mspId: 'CityMSP', subject: 'C=NL, L=Civic Ledger, O=CityMSP, OU=peer, CN=peer0' },
    ]);
    expect(tx.readWrites).toEqual([
      {
        namespace: '_lifecycle',
        reads: [{ key: 'namespaces/fields/civic/Sequence', version: '4:0' }],
        rangeQueries: [],
        writes: [],
        metadataWrites: [],
        collections: [],
      },
      {
        namespace: 'civic',
        reads: [{ key: didKey, version: null }],
        rangeQueries: [],
        writes: [{ key: didKey, delete: false, valueBytes: 418 }],
        metadataWrites: [],
        collections: [],
      },
    ]);
    // The registration request (the argument) holds the citizen's public key; nothing decoded does.
    expect(JSON.stringify(tx)).not.toContain('uVe3yQ2uaiRJxFmueWL99pYUszFMj6xqUHCuPN2NJqE');
    expect(captured.registerDid.bytes.includes('uVe3yQ2uaiRJxFmueWL99pYUszFMj6xqUHCuPN2NJqE')).toBe(true);
  });

  it('a private debt record: one endorser, no public write, the collection as hashes only', () => {
    const tx = endorser(decodeProcessedTransaction(captured.recordDebt.bytes));
    expect(tx).toMatchObject({ function: 'debt:RecordDebt', argumentCount: 0, creator: { mspId: 'UtilitiesMSP' }, validationCode: 'VALID' });
    expect(tx.endorsers.map((e) => e.mspId)).toEqual(['UtilitiesMSP']);
    const civic = tx.readWrites.find((ns) => ns.namespace === 'civic');
    expect(civic?.writes).toEqual([]);
    expect(civic?.collections).toHaveLength(1);
    const [collection] = civic?.collections ?? [];
    expect(collection?.collection).toBe('debtUtilitiesMSP');
    expect(collection?.reads).toEqual([{ keyHash: expect.stringMatching(HEX64) as string, version: null }]);
    expect(collection?.writes).toEqual([
      { keyHash: collection?.reads[0]?.keyHash, delete: false, purge: false, valueHash: expect.stringMatching(HEX64) as string },
    ]);
    expect(collection?.privateRwsetHash).toMatch(HEX64);
    // Apart from field names, the collection's name and hashes, it says nothing.
    const said = strings(collection).filter((s) => !HEX64.test(s));
    expect(new Set(said)).toEqual(
      new Set([
        'collection',
        'debtUtilitiesMSP',
        'reads',
        'keyHash',
        'version',
        'writes',
        'delete',
        'purge',
        'valueHash',
        'metadataWrites',
        'privateRwsetHash',
      ]),
    );
  });
});

/** An envelope of `type` whose payload data is `data`, created by `creator` (a serialized identity, or none). */
function envelopeOf(type: number, data: Uint8Array, creator: Uint8Array = new Uint8Array(), txId = 'ab'.repeat(32)): common.Envelope {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setChannelId('civic');
  channelHeader.setTxId(txId);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}

/** An endorser transaction invoking `args` on chaincode `civic` whose read/write set is `rwset`. */
function endorserEnvelope(args: string[], rwset: ledger.rwset.TxReadWriteSet): common.Envelope {
  const creator = capturedCreator().serializeBinary();
  const input = new peer.ChaincodeInput();
  input.setArgsList(args.map((a) => Buffer.from(a)));
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('civic');
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());
  const action = new peer.ChaincodeAction();
  action.setResults(rwset.serializeBinary());
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setExtension$(action.serializeBinary());
  const endorsement = new peer.Endorsement();
  endorsement.setEndorser(creator);
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  endorsed.setEndorsementsList([endorsement]);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const transactionAction = new peer.TransactionAction();
  transactionAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([transactionAction]);
  return envelopeOf(common.HeaderType.ENDORSER_TRANSACTION, transaction.serializeBinary(), creator);
}

function version(block: number, tx: number): ledger.rwset.kvrwset.Version {
  const v = new kv.Version();
  v.setBlockNum(block);
  v.setTxNum(tx);
  return v;
}

function read(key: string, at?: ledger.rwset.kvrwset.Version): ledger.rwset.kvrwset.KVRead {
  const r = new kv.KVRead();
  r.setKey(key);
  if (at !== undefined) {
    r.setVersion(at);
  }
  return r;
}

/** A read/write set with one of everything: a range query, a delete, a metadata write, a private delete and purge. */
function everyKindOfAccess(): ledger.rwset.TxReadWriteSet {
  const range = new kv.RangeQueryInfo();
  range.setStartKey('\u0000civic.land.parcel\u0000');
  range.setEndKey('\u0000civic.land.parcel\u0000\u{10ffff}');
  range.setItrExhausted(true);
  const rawReads = new kv.QueryReads();
  rawReads.setKvReadsList([read('\u0000civic.land.parcel\u0000P-1\u0000', version(9, 2))]);
  range.setRawReads(rawReads);
  const deleted = new kv.KVWrite();
  deleted.setKey('plain-key');
  deleted.setIsDelete(true);
  const written = new kv.KVWrite();
  written.setKey('\u0000civic.land.parcel\u0000P-2\u0000');
  written.setValue(Buffer.from('{"owner":"someone private"}'));
  const entry = new kv.KVMetadataEntry();
  entry.setName('VALIDATION_PARAMETER');
  entry.setValue(Buffer.from('policy bytes'));
  const metadata = new kv.KVMetadataWrite();
  metadata.setKey('plain-key');
  metadata.setEntriesList([entry]);
  const publicSet = new kv.KVRWSet();
  publicSet.setReadsList([read('plain-key', version(3, 0))]);
  publicSet.setRangeQueriesInfoList([range]);
  publicSet.setWritesList([written, deleted]);
  publicSet.setMetadataWritesList([metadata]);

  const purged = new kv.KVWriteHash();
  purged.setKeyHash(Buffer.alloc(32, 1));
  purged.setIsDelete(true);
  purged.setIsPurge(true);
  const privateDelete = new kv.KVWriteHash();
  privateDelete.setKeyHash(Buffer.alloc(32, 2));
  privateDelete.setIsDelete(true);
  const hashed = new kv.HashedRWSet();
  hashed.setHashedWritesList([purged, privateDelete]);
  const collection = new ledger.rwset.CollectionHashedReadWriteSet();
  collection.setCollectionName('debtCityMSP');
  collection.setHashedRwset(hashed.serializeBinary());
  collection.setPvtRwsetHash(Buffer.alloc(32, 3));

  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace('civic');
  ns.setRwset(publicSet.serializeBinary());
  ns.setCollectionHashedRwsetList([collection]);
  const set = new ledger.rwset.TxReadWriteSet();
  set.setNsRwsetList([ns]);
  return set;
}

describe('decoding envelopes built with the Fabric protobufs', () => {
  it('range queries, deletes, metadata writes and private deletes and purges, never a value', () => {
    const tx = endorser(decodeEnvelope(endorserEnvelope(['land:TransferParcel', 'P-2', 'someone private'], everyKindOfAccess())));
    expect(tx.function).toBe('land:TransferParcel');
    expect(tx.argumentCount).toBe(2);
    expect(tx.readWrites).toEqual([
      {
        namespace: 'civic',
        reads: [{ key: 'plain-key', version: '3:0' }],
        rangeQueries: [
          {
            startKey: '\u0000civic.land.parcel\u0000',
            endKey: '\u0000civic.land.parcel\u0000\u{10ffff}',
            exhausted: true,
            reads: [{ key: '\u0000civic.land.parcel\u0000P-1\u0000', version: '9:2' }],
          },
        ],
        writes: [
          { key: '\u0000civic.land.parcel\u0000P-2\u0000', delete: false, valueBytes: 27 },
          { key: 'plain-key', delete: true, valueBytes: 0 },
        ],
        metadataWrites: [{ key: 'plain-key', entries: ['VALIDATION_PARAMETER'] }],
        collections: [
          {
            collection: 'debtCityMSP',
            reads: [],
            writes: [
              { keyHash: '01'.repeat(32), delete: true, purge: true, valueHash: null },
              { keyHash: '02'.repeat(32), delete: true, purge: false, valueHash: null },
            ],
            metadataWrites: [],
            privateRwsetHash: '03'.repeat(32),
          },
        ],
      },
    ]);
    expect(JSON.stringify(tx)).not.toMatch(/someone private|policy bytes/);
  });

  it('a config transaction: its sequence and the signers of the update that made it', () => {
    const signatureHeader = new common.SignatureHeader();
    signatureHeader.setCreator(capturedCreator().serializeBinary());
    const signature = new common.ConfigSignature();
    signature.setSignatureHeader(signatureHeader.serializeBinary());
    const update = new common.ConfigUpdateEnvelope();
    update.setSignaturesList([signature]);
    const config = new common.Config();
    config.setSequence(3);
    const configEnvelope = new common.ConfigEnvelope();
    configEnvelope.setConfig(config);
    configEnvelope.setLastUpdate(envelopeOf(common.HeaderType.CONFIG_UPDATE, update.serializeBinary()));
    const processed = new peer.ProcessedTransaction();
    processed.setTransactionenvelope(envelopeOf(common.HeaderType.CONFIG, configEnvelope.serializeBinary()));
    expect(decodeProcessedTransaction(processed.serializeBinary())).toEqual({
      kind: 'config',
      txId: 'ab'.repeat(32),
      channel: 'civic',
      type: 'CONFIG',
      timestamp: null,
      creator: null,
      configSequence: 3,
      updateSigners: [{ mspId: 'AgenciesMSP', subject: 'C=NL, L=Civic Ledger, O=AgenciesMSP, OU=client, CN=clerk' }],
      validationCode: 'VALID',
    });
  });

  it('names the validation code of an invalidated transaction, and any other envelope type by its header type', () => {
    const processed = new peer.ProcessedTransaction();
    processed.setTransactionenvelope(envelopeOf(common.HeaderType.ORDERER_TRANSACTION, new Uint8Array()));
    processed.setValidationcode(peer.TxValidationCode.MVCC_READ_CONFLICT);
    expect(decodeProcessedTransaction(processed.serializeBinary())).toMatchObject({
      kind: 'other',
      type: 'ORDERER_TRANSACTION',
      validationCode: 'MVCC_READ_CONFLICT',
    });
  });

  it('refuses an envelope without the parts Fabric requires, saying which', () => {
    expect(() => decodeProcessedTransaction(new peer.ProcessedTransaction().serializeBinary())).toThrow(
      new MalformedEnvelope('the processed transaction holds no envelope'),
    );
    expect(() => decodeEnvelope(envelopeOf(common.HeaderType.ENDORSER_TRANSACTION, new peer.Transaction().serializeBinary()))).toThrow(
      new MalformedEnvelope('the transaction holds no action'),
    );
  });
});
