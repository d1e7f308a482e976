/** A console-shaped logger. Every method is optional; missing ones are ignored. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void
  info?(message: string, ...details: unknown[]): void
  warn?(message: string, ...details: unknown[]): void
  error?(message: string, ...details: unknown[]): void
}

/** The default logger: says nothing. */
export const silentLogger: Logger = Object.freeze({})
