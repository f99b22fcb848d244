export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per event on stderr; stdout is kept for the human start-up banner. */
export function jsonLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    stream.write(JSON.stringify({ t: new Date().toISOString(), level, message, ...fields }) + '\n');
  return {
    info: (m, f) => write('info', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, error() {} };
