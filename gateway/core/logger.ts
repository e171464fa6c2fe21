/**
 * One-line structured log to stderr: `2026-11-29T10:00:00.000Z info  message key=value …`. Fields whose name
 * looks like a secret are never printed.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_FIELD = /pass(word)?|secret|token|key|credential/i;

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_FIELD.test(k)) out[k] = v === undefined || v === null || v === '' ? v : '***';
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = redact(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

function format(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  return Object.entries(redact(fields))
    .map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join('');
}

export function createLogger(stream: NodeJS.WritableStream = process.stderr, quiet = false): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (quiet && level === 'info') return;
    stream.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}${format(fields)}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string, f?: Record<string, unknown>) => void lines.push(`${level} ${m}${format(f)}`);
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}
