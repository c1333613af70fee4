// Structured logging: one pino root logger per app, children per concern.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: 'gitssy' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'], censor: '[redacted]' },
    },
    opts.destination ?? process.stdout,
  );
}
