/** Injected time and id sources so that tests can be deterministic. */
import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
}
export interface IdGenerator {
  newId(): string;
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidIds: IdGenerator = { newId: () => randomUUID() };
