/**
 * Errors with a stable code, an internal message and a user-safe message. One map turns a
 * code into an HTTP status and an exit code; unknown errors are normalised at each boundary
 * (HTTP handler, CLI, job failure handler) so users never see a stack trace.
 */
export const ERROR_CODES = {
  BAD_INPUT: { http: 400, exit: 2 },
  UNAUTHORIZED: { http: 401, exit: 2 },
  NOT_FOUND: { http: 404, exit: 3 },
  CONFLICT: { http: 409, exit: 4 },
  BAD_MODEL: { http: 400, exit: 2 },
  BAD_CONFIG: { http: 500, exit: 2 },
  DATA_DIR_BUSY: { http: 503, exit: 5 },
  DB_UNAVAILABLE: { http: 503, exit: 5 },
  /** The Zalo OA has no usable token (never connected, or the refresh token was lost): run `hotlead zalo connect`. */
  ZALO_NOT_CONNECTED: { http: 503, exit: 6 },
  INTERNAL: { http: 500, exit: 1 },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly details: ErrorDetail[];

  constructor(
    code: ErrorCode,
    userMessage: string,
    options: { details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(userMessage, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.details = options.details ?? [];
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Normalise anything thrown into an AppError (unknown errors become INTERNAL, message kept internal). */
export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', 'Internal error — see the server log for details', { cause: err });
}

/** "path: message" lines, for CLI output and logs. */
export function formatDetails(details: ErrorDetail[]): string {
  return details.map((d) => (d.path ? `  - ${d.path}: ${d.message}` : `  - ${d.message}`)).join('\n');
}
