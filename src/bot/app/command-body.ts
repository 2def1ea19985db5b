import type { SlashCommand } from './context.js';

/**
 * The body of the bulk overwrite that registers the commands. discord.js's
 * builders give `default_member_permissions` as a string ("32"); Discord's
 * OpenAPI description types it as an integer in requests (responses carry a
 * string). Discord takes both; we send what the description documents.
 */
export function registrationBody(commands: readonly SlashCommand[]): Array<Record<string, unknown>> {
  return commands.map((c) => {
    const json = c.data.toJSON() as unknown as Record<string, unknown>;
    const p = json['default_member_permissions'];
    if (typeof p !== 'string' || !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p))) return json;
    return { ...json, default_member_permissions: Number(p) };
  });
}
