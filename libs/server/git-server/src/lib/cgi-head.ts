// The header block a CGI program (git http-backend) writes before its body: `Name: value` lines,
// an optional `Status: 404 Not Found`, then an empty line (RFC 3875 section 6).

export interface CgiHead {
  status: number;
  /** In the order written, without `Status`. */
  headers: [string, string][];
  /** Offset of the body's first byte in the buffer given. */
  bodyStart: number;
}

/** Longer header blocks are an error: http-backend writes a few short lines. */
export const MAX_CGI_HEAD_BYTES = 64 * 1024;

export class CgiHeadError extends Error {}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function endOfHead(buf: Buffer): { end: number; bodyStart: number } | null {
  // Lines end in "\n" or "\r\n"; the block ends at the first empty line.
  let lineStart = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    const lineEnd = i > lineStart && buf[i - 1] === 0x0d ? i - 1 : i;
    if (lineEnd === lineStart) return { end: lineStart, bodyStart: i + 1 };
    lineStart = i + 1;
  }
  return null;
}

/**
 * Parses the header block at the start of `buf`; null while it is incomplete. Throws CgiHeadError
 * for a malformed or oversized block.
 */
export function parseCgiHead(buf: Buffer): CgiHead | null {
  const found = endOfHead(buf);
  if (!found) {
    if (buf.length > MAX_CGI_HEAD_BYTES) throw new CgiHeadError('CGI header block too long');
    return null;
  }
  if (found.end > MAX_CGI_HEAD_BYTES) throw new CgiHeadError('CGI header block too long');
  const lines = buf
    .subarray(0, found.end)
    .toString('latin1')
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line.length > 0);
  let status: number | undefined;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CgiHeadError(`malformed CGI header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!HEADER_NAME.test(name)) throw new CgiHeadError(`malformed CGI header name: ${name}`);
    if (name.toLowerCase() === 'status') {
      const match = /^(\d{3})(?:\s.*)?$/.exec(value);
      if (!match) throw new CgiHeadError(`malformed CGI Status: ${value}`);
      status = Number(match[1]);
    } else {
      headers.push([name, value]);
    }
  }
  if (status === undefined) {
    // A CGI redirect without a Status line means 302.
    status = headers.some(([name]) => name.toLowerCase() === 'location') ? 302 : 200;
  }
  if (status < 100 || status > 599) throw new CgiHeadError(`CGI status out of range: ${status}`);
  return { status, headers, bodyStart: found.bodyStart };
}
