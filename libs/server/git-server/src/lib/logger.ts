/** The part of a pino logger the git server uses; a pino Logger fits. */
export interface GitServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: GitServerLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
