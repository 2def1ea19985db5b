/** Placeholder replaced by the converter branch (issue 3) before this lands. */
export async function runConvert(_argv: readonly string[]): Promise<number> {
  process.stderr.write('marionette convert: not built yet.\n');
  return 1;
}
