// Structured logging: one pino root logger per app, children per concern.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream; file?: { write(line: string): unknown } }): Logger {
  const out = opts.destination ?? process.stdout;
  // the log file (the console's log view) gets the same lines as stdout
  const destination =
    opts.file && opts.level !== 'silent'
      ? pino.multistream([
          { level: opts.level as pino.Level, stream: out },
          { level: opts.level as pino.Level, stream: opts.file },
        ])
      : out;
  return pino(
    {
      level: opts.level,
      base: { app: 'gitssy' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'], censor: '[redacted]' },
    },
    destination,
  );
}
