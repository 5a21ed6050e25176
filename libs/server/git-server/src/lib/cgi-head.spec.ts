import { CgiHeadError, MAX_CGI_HEAD_BYTES, parseCgiHead } from './cgi-head';

const buf = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('parseCgiHead', () => {
  it('reads headers ending in CRLF, defaulting to 200, and where the body starts', () => {
    const out = buf(
      'Content-Type: application/x-git-upload-pack-advertisement\r\nCache-Control: no-cache\r\n\r\n001e# service',
    );
    const head = parseCgiHead(out);
    expect(head).toEqual({
      status: 200,
      headers: [
        ['Content-Type', 'application/x-git-upload-pack-advertisement'],
        ['Cache-Control', 'no-cache'],
      ],
      bodyStart: out.indexOf('001e'),
    });
  });

  it('takes the status from a Status line and accepts bare LF line ends', () => {
    const head = parseCgiHead(
      buf('Status: 404 Not Found\nContent-Type: text/plain\n\nRepository not found.\n'),
    );
    expect(head?.status).toBe(404);
    expect(head?.headers).toEqual([['Content-Type', 'text/plain']]);
    expect(head?.bodyStart).toBe('Status: 404 Not Found\nContent-Type: text/plain\n\n'.length);
  });

  it('treats a Location without a Status as a redirect', () => {
    expect(parseCgiHead(buf('Location: /x\r\n\r\n'))?.status).toBe(302);
  });

  it('keeps a body that contains blank lines untouched', () => {
    const text = 'Content-Type: a/b\r\n\r\nline\r\n\r\nmore';
    const head = parseCgiHead(buf(text));
    expect(buf(text).subarray(head?.bodyStart).toString('latin1')).toBe('line\r\n\r\nmore');
  });

  it('waits for more output while the block is incomplete', () => {
    expect(parseCgiHead(buf(''))).toBeNull();
    expect(parseCgiHead(buf('Content-Type: a/b\r\n'))).toBeNull();
    expect(parseCgiHead(buf('Content-Type: a/b\r\n\r'))).toBeNull();
  });

  it('answers an empty header block with 200 and no headers', () => {
    expect(parseCgiHead(buf('\r\nbody'))).toEqual({ status: 200, headers: [], bodyStart: 2 });
  });

  it('refuses malformed and oversized blocks', () => {
    for (const text of [
      'no colon here\r\n\r\n',
      ': empty name\r\n\r\n',
      'Bad Name: x\r\n\r\n',
      'Status: abc\r\n\r\n',
      'Status: 99 Low\r\n\r\n',
      'Status: 700 High\r\n\r\n',
    ]) {
      expect(() => parseCgiHead(buf(text))).toThrow(CgiHeadError);
    }
    expect(() => parseCgiHead(buf(`X: ${'a'.repeat(MAX_CGI_HEAD_BYTES)}`))).toThrow(CgiHeadError);
    expect(() => parseCgiHead(buf(`X: ${'a'.repeat(MAX_CGI_HEAD_BYTES)}\r\n\r\n`))).toThrow(
      CgiHeadError,
    );
  });
});
