/**
 * A conversion input the user can fix — a file that is not a checkpoint, a checkpoint that would run code or does
 * not fit the config — told in one sentence; `marionette convert` prints it and exits with code 2, writing nothing.
 */
export class ConvertError extends Error {
  override readonly name = 'ConvertError';
}
