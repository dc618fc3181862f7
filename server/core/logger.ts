/** The logging every module may use: structured fields first, then a message (pino's shape, so the app passes pino itself). */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
