import { captured } from '../test-support/ledger-fixtures';
import { decodeChainInfo, hashesConsistent, type ChainInfo, type ChainInfoReport } from './chain-info';
import { agreementText, chainInfoText } from './chain-info-text';

const CURRENT = '211a565e4c752fde0d563bb9ecc66236787b536d2eec9a6f70fecefe88d95690';
const PREVIOUS = 'f25416c4b1165d39963068df330a6da7d891149f3a8032ba0e596e62058b85f2';
const chain = (height: number, currentBlockHash: string, previousBlockHash: string): ChainInfo => ({ height, currentBlockHash, previousBlockHash });

describe('decodeChainInfo', () => {
  it("decodes a peer's real GetChainInfo answer: height and both hashes in hex", () => {
    expect(decodeChainInfo(captured.chainInfo)).toEqual(chain(7, CURRENT, PREVIOUS));
  });
});

describe('hashesConsistent', () => {
  const next = 'aa'.repeat(32);
  it('holds for peers at one height with the same hashes, and for a peer one block ahead that chains from the others', () => {
    expect(hashesConsistent([chain(7, CURRENT, PREVIOUS), chain(7, CURRENT, PREVIOUS)])).toBe(true);
    expect(hashesConsistent([chain(7, CURRENT, PREVIOUS), chain(8, next, CURRENT), chain(7, CURRENT, PREVIOUS)])).toBe(true);
    expect(hashesConsistent([])).toBe(true);
  });

  it('fails for peers at one height with different blocks, or a block that does not chain from the block before', () => {
    expect(hashesConsistent([chain(7, CURRENT, PREVIOUS), chain(7, next, PREVIOUS)])).toBe(false);
    expect(hashesConsistent([chain(7, CURRENT, PREVIOUS), chain(8, next, PREVIOUS)])).toBe(false);
  });

  it('cannot compare peers two or more blocks apart, and does not claim they differ', () => {
    expect(hashesConsistent([chain(7, CURRENT, PREVIOUS), chain(9, next, next)])).toBe(true);
  });
});

describe('the human form of ledger info', () => {
  const answered = (org: 'city' | 'agencies' | 'utilities', info: ChainInfo): ChainInfoReport['peers'][number] => ({
    org,
    mspId: `${org}MSP`,
    endpoint: `127.0.0.1:${org.length}`,
    chain: info,
    error: null,
  });

  it('a row per peer with full hashes, and that the heights agree', () => {
    const report: ChainInfoReport = {
      channel: 'civic',
      peers: [answered('city', chain(7, CURRENT, PREVIOUS)), answered('agencies', chain(7, CURRENT, PREVIOUS))],
      allAnswered: true,
      heightsAgree: true,
      hashesConsistent: true,
    };
    const text = chainInfoText(report);
    expect(text).toContain(`│ city     │ 127.0.0.1:4 │ 7      │ ${CURRENT} │ ${PREVIOUS} │`);
    expect(text.split('\n').at(-1)).toBe('heights agree: 7 on all 2 peers; hashes fit one chain');
  });

  it('a peer that did not answer shows why in its row; differing heights and hashes are said', () => {
    const report: ChainInfoReport = {
      channel: 'civic',
      peers: [
        answered('city', chain(8, 'bb'.repeat(32), 'cc'.repeat(32))),
        answered('agencies', chain(7, CURRENT, PREVIOUS)),
        { org: 'utilities', mspId: 'UtilitiesMSP', endpoint: '127.0.0.1:1', chain: null, error: 'cannot reach the gateway peer' },
      ],
      allAnswered: false,
      heightsAgree: false,
      hashesConsistent: false,
    };
    const text = chainInfoText(report);
    expect(text).toMatch(/│ utilities │ 127\.0\.0\.1:1 │ - +│ no answer: cannot reach the gateway peer +│ - +│/);
    expect(agreementText(report)).toBe(
      'heights differ: city 8, agencies 7 (a peer still committing catches up; ask again); HASHES DIFFER: the peers hold different blocks',
    );
  });

  it('says when heights agree among the peers that answered only', () => {
    const report: ChainInfoReport = {
      channel: 'civic',
      peers: [answered('city', chain(7, CURRENT, PREVIOUS)), { org: 'utilities', mspId: 'UtilitiesMSP', endpoint: '127.0.0.1:1', chain: null, error: 'down' }],
      allAnswered: false,
      heightsAgree: true,
      hashesConsistent: true,
    };
    expect(agreementText(report)).toBe('heights agree: 7 on the one peer that answered (no answer from utilities); hashes fit one chain');
  });
});
