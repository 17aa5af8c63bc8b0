/**
 * Error a job handler (or the queue itself) throws when retrying can never help: a payload that
 * fails its schema, a job name this build does not know, a row that no longer exists. Both queue
 * implementations fail such a job at once instead of retrying it (BullMQ: `UnrecoverableError`).
 */
export class PermanentJobError extends Error {
  /** Schema issues when the error comes from payload validation (`path: message`). */
  readonly details: { path: string; message: string }[];

  constructor(
    message: string,
    options: { cause?: unknown; details?: { path: string; message: string }[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PermanentJobError';
    this.details = options.details ?? [];
  }
}

export function isPermanentJobError(err: unknown): err is PermanentJobError {
  return err instanceof PermanentJobError || (err instanceof Error && err.name === 'PermanentJobError');
}
