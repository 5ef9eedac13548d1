// Errors the CLI reports as one line (`mesh: …`) with a non-zero exit, instead of a stack trace.

export class UsageError extends Error {
  override name = "UsageError";
}
