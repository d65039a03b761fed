/**
 * The last lines a supervised command wrote (stdout and stderr interleaved as they arrive), kept
 * bounded so a chatty registrar cannot grow the agent's memory.
 */

/** One line of output. */
export interface OutputLine {
  /** Milliseconds since the epoch when the line was complete. */
  readonly at: number;
  readonly stream: 'stdout' | 'stderr';
  /** Which run of the command wrote it (1 = the first start). */
  readonly run: number;
  readonly text: string;
}

/** Longest line kept; the rest of a longer line is cut (a binary blob must not fill the tail). */
const MAX_LINE = 4096;

/** A ring of the last `capacity` lines. */
export class OutputTail {
  private readonly lines: OutputLine[] = [];
  private readonly partial = { stdout: '', stderr: '' };

  constructor(private readonly capacity = 500) {}

  /** Adds a chunk; complete lines go into the ring, a trailing partial line waits for its end. */
  push(stream: 'stdout' | 'stderr', chunk: string, run: number): void {
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = (parts.pop() ?? '').slice(-MAX_LINE);
    for (const p of parts) this.add(stream, p, run);
  }

  /** Flushes partial lines (the command exited). */
  flush(run: number): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.add(stream, this.partial[stream], run);
      this.partial[stream] = '';
    }
  }

  /** A line written by the agent itself (start, exit, restart), so the tail tells the whole story. */
  note(text: string, run: number): void {
    this.add('stderr', `[agent] ${text}`, run);
  }

  /** The last `n` lines, oldest first. */
  last(n: number): OutputLine[] {
    return this.lines.slice(Math.max(0, this.lines.length - n));
  }

  private add(stream: 'stdout' | 'stderr', text: string, run: number): void {
    this.lines.push({ at: Date.now(), stream, run, text: text.replace(/\r$/, '').slice(0, MAX_LINE) });
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }
}
