import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

/** Options for {@link downloadFile}. */
export interface DownloadFileOptions {
  /** The exact size the file must have; the transfer is cut off as soon as more arrives. */
  expectedBytes: number;
  /** Lower-case hex MD5 the content must have. */
  expectedMd5: string;
  /** Redirects followed at most; default 5. */
  maxRedirects?: number;
  /** Give up when the connection is idle this long (ms); default 60,000. */
  idleTimeoutMs?: number;
  /** Called with the bytes received so far. */
  onBytes?: (received: number) => void;
}

function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Issues one GET and resolves with the response once its headers are in. */
function get(url: URL, idleTimeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { headers: { 'user-agent': 'sgd-factors' } }, resolve);
    request.setTimeout(idleTimeoutMs, () => {
      request.destroy(new Error(`no data from ${describeUrl(url)} for ${idleTimeoutMs} ms`));
    });
    request.on('error', reject);
  });
}

/**
 * Downloads `url` into the file `dest` (created or truncated), following redirects, and verifies its size
 * and MD5. On any failure it rejects with an error naming the address and the problem; `dest` may then
 * hold a partial file, which the caller removes (it should be a temporary name).
 *
 * @param url - an http: or https: address. Redirects from https: to http: are refused.
 * @param dest - the file to write.
 * @param options - expected size and checksum, limits, progress callback.
 * @returns the number of bytes written and their MD5.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadFileOptions,
): Promise<{ bytes: number; md5: string }> {
  const maxRedirects = options.maxRedirects ?? 5;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  let current = new URL(url);
  if (current.protocol !== 'http:' && current.protocol !== 'https:')
    throw new Error(`download: ${url} is not an http: or https: address`);
  let response: http.IncomingMessage;
  for (let redirects = 0; ; redirects++) {
    response = await get(current, idleTimeoutMs);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location !== undefined) {
      response.resume();
      if (redirects >= maxRedirects)
        throw new Error(`download: more than ${maxRedirects} redirects from ${describeUrl(new URL(url))}`);
      const next = new URL(response.headers.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new Error(
          `download: ${describeUrl(current)} redirects to unsupported ${next.protocol} address`,
        );
      if (current.protocol === 'https:' && next.protocol === 'http:')
        throw new Error(`download: ${describeUrl(current)} redirects from https to plain http; refused`);
      current = next;
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new Error(
        `download: HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''} from ${describeUrl(current)}`,
      );
    }
    break;
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared !== options.expectedBytes) {
    response.destroy();
    throw new Error(
      `download: ${describeUrl(current)} announces ${declared} bytes, expected ${options.expectedBytes}`,
    );
  }
  const source = describeUrl(current);
  const hash = createHash('md5');
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(dest);
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      response.destroy();
      out.destroy();
      reject(error);
    };
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.expectedBytes) {
        fail(new Error(`download: ${source} sent more than the expected ${options.expectedBytes} bytes`));
        return;
      }
      hash.update(chunk);
      options.onBytes?.(received);
      if (!out.write(chunk)) {
        response.pause();
        out.once('drain', () => response.resume());
      }
    });
    response.on('aborted', () =>
      fail(
        new Error(
          `download: connection to ${source} closed after ${received} of ${options.expectedBytes} bytes`,
        ),
      ),
    );
    response.on('error', (error) =>
      fail(
        new Error(
          `download: ${source} failed after ${received} of ${options.expectedBytes} bytes: ${error.message}`,
        ),
      ),
    );
    let ended = false;
    response.on('end', () => {
      ended = true;
      if (failed) return;
      out.end(() => resolve());
    });
    response.on('close', () => {
      if (!ended)
        fail(
          new Error(
            `download: connection to ${source} closed after ${received} of ${options.expectedBytes} bytes`,
          ),
        );
    });
    out.on('error', (error) => fail(new Error(`download: cannot write ${dest}: ${error.message}`)));
  });
  if (received !== options.expectedBytes)
    throw new Error(
      `download: ${source} is truncated or wrong: got ${received} bytes, expected ${options.expectedBytes}`,
    );
  const md5 = hash.digest('hex');
  if (md5 !== options.expectedMd5.toLowerCase())
    throw new Error(`download: checksum mismatch for ${source}: MD5 ${md5}, expected ${options.expectedMd5}`);
  return { bytes: received, md5 };
}
