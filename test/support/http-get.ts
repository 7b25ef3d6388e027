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
