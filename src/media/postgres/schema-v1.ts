/**
 * Media schema version 1. An object is one `media_objects` row and its `media_chunks` rows (one per chunk, in order
 * from 0). The row is written first, without size or checksum: the object is incomplete and no reader sees it. The
 * chunks follow, each committed on its own; then one transaction checks them, fills in the size, chunk count, SHA-256
 * and `completed_ms`, and deletes the object it replaces. Only complete objects have a key the unique index covers.
 * Times are epoch milliseconds from the database's clock (one clock for every host).
 */
export const MEDIA_SCHEMA_V1 = `
CREATE TABLE media_objects (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key          text NOT NULL,
  job_id       text NOT NULL,
  role         text NOT NULL CHECK (role IN ('photo', 'driving', 'result')),
  chunk_bytes  integer NOT NULL CHECK (chunk_bytes > 0),
  started_ms   bigint NOT NULL,
  completed_ms bigint,
  bytes        bigint,
  chunk_count  integer,
  sha256       bytea,
  CHECK (key = job_id || '/' || role),
  CHECK ((completed_ms IS NULL AND bytes IS NULL AND chunk_count IS NULL AND sha256 IS NULL)
      OR (completed_ms IS NOT NULL AND bytes >= 0 AND chunk_count >= 0 AND length(sha256) = 32))
);
CREATE UNIQUE INDEX media_objects_key ON media_objects (key) WHERE completed_ms IS NOT NULL;
CREATE INDEX media_objects_job ON media_objects (job_id);
CREATE INDEX media_objects_incomplete ON media_objects (started_ms) WHERE completed_ms IS NULL;

CREATE TABLE media_chunks (
  object_id bigint NOT NULL REFERENCES media_objects (id) ON DELETE CASCADE,
  chunk_no  integer NOT NULL CHECK (chunk_no >= 0),
  data      bytea NOT NULL,
  sha256    bytea NOT NULL CHECK (length(sha256) = 32),
  PRIMARY KEY (object_id, chunk_no)
);
-- Photos and videos are compressed already: store the chunks out of line without trying to compress them again.
ALTER TABLE media_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
`;
