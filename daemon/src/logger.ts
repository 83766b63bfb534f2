import winston from 'winston';

export type Logger = winston.Logger;

/** Human-readable lines on stdout. No timestamps when journald (systemd) adds its own. Message
 *  bodies and tokens never go to `info`: only sizes, names and ids do. */
export function createLogger(level: string, opts: { silent?: boolean } = {}): Logger {
  const underJournal = Boolean(process.env.JOURNAL_STREAM || process.env.INVOCATION_ID);
  const line = winston.format.printf((info) => {
    const { level: lvl, message, timestamp, ...rest } = info;
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return `${timestamp ? `${String(timestamp)} ` : ''}${lvl}: ${String(message)}${extra}`;
  });
  return winston.createLogger({
    level,
    silent: opts.silent ?? false,
    format: underJournal ? line : winston.format.combine(winston.format.timestamp(), line),
    transports: [new winston.transports.Console()],
  });
}
