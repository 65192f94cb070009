// Error kinds the CLI maps to exit codes. Library code throws these; only lib/cli turns them into text.

export const EXIT = {
  compliant: 0,
  nonCompliant: 1,
  usage: 2,
  runtime: 3,
} as const;

/** Bad command line or bad input file: exit 2, one clear line, no stack trace. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Something failed while running (PowerShell missing, network stack failure): exit 3. */
export class RuntimeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeFailure";
  }
}
