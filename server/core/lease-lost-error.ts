/** The typed signal that a background job's lease was taken over: its results must not be written. */
import { FhirError } from './fhir-error';

/**
 * Thrown when a worker completes a job it no longer holds (its lease expired and another worker claimed
 * it). A 409 FhirError, so a transaction it aborts rolls back like any conflict; job runners recognise it
 * by type, never by message text.
 */
export class LeaseLostError extends FhirError {
  constructor(readonly jobId: string) {
    super(409, 'conflict', `Job ${jobId} is no longer held by this worker (its lease expired and another worker took it)`);
    this.name = 'LeaseLostError';
  }
}
