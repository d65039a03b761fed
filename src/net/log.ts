/** Log records of the networked commands, printed as JSON lines or text. */

/** One log record. */
export interface NetLogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly event: string;
  readonly requirement?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Where records go. */
export type NetLogger = (r: NetLogRecord) => void;

const RANK = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** A logger writing JSON lines (`json`) or `time level event key=value` text to `out`. */
export function streamLogger(out: NodeJS.WritableStream, format: 'json' | 'text', minLevel: NetLogRecord['level'] = 'info'): NetLogger {
  return (r) => {
    if (RANK[r.level] < RANK[minLevel]) return;
    const time = new Date().toISOString();
    if (format === 'json') out.write(JSON.stringify({ time, ...r }) + '\n');
    else {
      const detail = Object.entries(r.detail ?? {})
        .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      out.write(`${time} ${r.level.padEnd(5)} ${r.event}${r.requirement ? ` [${r.requirement}]` : ''}${detail ? ' ' + detail : ''}\n`);
    }
  };
}
