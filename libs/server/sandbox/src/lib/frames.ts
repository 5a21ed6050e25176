// Frames between the runner and a sandbox's supervisor (see supervisor-source.ts, which speaks the
// same format): 1 byte type, 4 bytes request id, 4 bytes payload length, payload.
//   runner -> supervisor: 'r' run (JSON request), 'k' kill the request's process group
//   supervisor -> runner: 'R' ready, 'o' output bytes, 'x' exit (JSON)
export const FRAME_HEADER = 9;

export function encodeFrame(type: string, id: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(id, 1);
  head.writeUInt32BE(payload.length, 5);
  return Buffer.concat([head, payload]);
}

export interface Frame {
  type: string;
  id: number;
  payload: Buffer;
}

/** Reassembles frames from a stream's chunks. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.pending.length >= FRAME_HEADER) {
      const len = this.pending.readUInt32BE(5);
      if (this.pending.length < FRAME_HEADER + len) break;
      frames.push({
        type: this.pending.toString('latin1', 0, 1),
        id: this.pending.readUInt32BE(1),
        payload: this.pending.subarray(FRAME_HEADER, FRAME_HEADER + len),
      });
      this.pending = this.pending.subarray(FRAME_HEADER + len);
    }
    return frames;
  }
}

/** Keeps the last `cap` bytes of a stream of chunks without holding the rest. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.cap && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
      this.truncated = true;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    if (all.length <= this.cap) return all.toString('utf8');
    this.truncated = true;
    return all.subarray(all.length - this.cap).toString('utf8');
  }
}
