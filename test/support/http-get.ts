import http from 'node:http';

/**
 * GET a URL over plain HTTP on a connection of its own (a node's operations server, e.g. a peer's
 * `/metrics`, closes idle connections).
 *
 * @param url - an `http://` URL
 * @returns the response body as text (whatever the status code)
 * @throws the connection's error when the server does not answer
 */
export function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve(body);
        });
      })
      .on('error', reject);
  });
}

/**
 * One sample of a node's Prometheus metrics page, e.g. `endorser_successful_proposals` or
 * `gossip_membership_total_peers_known{channel="civic"}`.
 *
 * @param operationsUrl - the node's operations endpoint, e.g. `http://127.0.0.1:37210`
 * @param sample - the metric name with its labels exactly as the page writes them
 * @returns the sample's value
 * @throws Error naming the sample when the page has no such line
 */
export async function metricSample(operationsUrl: string, sample: string): Promise<number> {
  const page = await httpGet(`${operationsUrl}/metrics`);
  const line = page.split('\n').find((l) => l.startsWith(`${sample} `));
  if (line === undefined) {
    throw new Error(`${operationsUrl}/metrics has no ${sample}`);
  }
  return Number(line.split(' ')[1]);
}
