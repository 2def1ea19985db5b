/** What the media store throws: typed, each with one sentence that names the object and says what is wrong. */

/** What was found wrong with a stored object. */
export type IntegrityProblem =
  | 'missing-chunk' // a chunk the writer wrote is not there
  | 'extra-chunk' // more chunks than the writer wrote
  | 'size' // the stored bytes add up to another size than the writer's
  | 'chunk-size' // one chunk has another length than it should
  | 'chunk-checksum' // one chunk's bytes do not match the SHA-256 written with them
  | 'checksum' // the whole object's SHA-256 is not the writer's
  | 'record' // the object's own record (local files) is missing its data or unreadable
  | 'input'; // what was given to put() is not what the caller said it would be (expectedBytes / expectedSha256)

/**
 * A stored object is damaged (or an input is not what was promised). Reading stops at the damage: a file is never
 * left at the destination, and a stream fails instead of ending, before it passes on a byte that failed a check.
 */
export class MediaIntegrityError extends Error {
  override readonly name = 'MediaIntegrityError';
  constructor(
    readonly key: string,
    readonly problem: IntegrityProblem,
    readonly detail: string,
  ) {
    super(problem === 'input' ? `Media ${key} was not stored: ${detail}.` : `Stored media ${key} is damaged: ${detail}.`);
  }
}

export class MediaNotFoundError extends Error {
  override readonly name = 'MediaNotFoundError';
  constructor(readonly key: string) {
    super(`No media ${key} is stored: it was never written completely, or it was deleted.`);
  }
}

/** The object was deleted (its job deleted, or the partial object swept) while it was being written; nothing was stored. */
export class MediaWriteAbortedError extends Error {
  override readonly name = 'MediaWriteAbortedError';
  constructor(readonly key: string) {
    super(`Media ${key} was deleted while it was being written (its job was deleted, or it was swept as abandoned), so nothing was stored.`);
  }
}

/** The media tables were made by a newer Marionette; the same rule as the job store's SchemaTooNewError. */
export class MediaSchemaTooNewError extends Error {
  override readonly name = 'MediaSchemaTooNewError';
  constructor(
    readonly database: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `The media tables in database ${database} have schema version ${found}, but this version of Marionette only knows ` +
        `versions up to ${known}. They were written by a newer Marionette: run that version, or restore a backup made ` +
        `before the upgrade. Nothing was changed.`,
    );
  }
}
