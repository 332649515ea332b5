/** An error meant for an API caller: HTTP status, stable code, plain message, never a stack. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** Bad configuration: says what is wrong and how to fix it; the CLI prints it without a stack. */
export class ConfigError extends Error {
  readonly code = 'config_error';

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
