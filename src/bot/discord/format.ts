/**
 * Small pure formatters for what the bot writes in Discord: timestamps that
 * each reader sees in their own time zone, sizes, lengths and short hashes.
 */
import { escapeMarkdown } from 'discord.js';

/** A relative time ("in 5 minutes", "2 hours ago") that Discord renders in the reader's locale. */
export function discordTime(ms: number): string {
  return `<t:${Math.ceil(ms / 1000)}:R>`;
}

const MIB = 1024 * 1024;

/** A date and time, e.g. "20 April 2021 16:20" in the reader's locale and time zone. */
export function discordDate(ms: number): string {
  return `<t:${Math.floor(ms / 1000)}:f>`;
}

/** Whole megabytes when it is a whole number, else one decimal: "25 MB", "1.5 MB". */
export function megabytes(bytes: number): string {
  const mb = bytes / MIB;
  return `${Number.isInteger(mb) ? mb : Math.round(mb * 10) / 10} MB`;
}

/** A clip length with one decimal: "2.0 s". */
export function seconds(s: number): string {
  return `${(Math.round(s * 10) / 10).toFixed(1)} s`;
}

/** The first 12 hex digits of a SHA-256: enough to match a file, short enough for a line. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Text a member or their upload supplied, quoted in a reply: its markdown (masked links included) shown as typed, and short. */
export function quoteUserText(text: string, max: number): string {
  return clip(escapeMarkdown(text, { maskedLink: true }), max);
}

/** Cuts text to `max` characters, ending with "…" when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Joins lines with newlines within `max` characters; lines that do not fit
 * are left out and counted in a last line made by `more(n)`.
 */
export function fitLines(lines: readonly string[], max: number, more: (n: number) => string): string {
  return fitJoined(lines, max, more, '\n');
}

/** The same for items of one line, joined with `separator` ("<#1>, <#2>, …and 3 more"). */
export function fitJoined(items: readonly string[], max: number, more: (n: number) => string, separator: string): string {
  const all = items.join(separator);
  if (all.length <= max) return all;
  for (let keep = items.length - 1; keep >= 0; keep--) {
    const text = [...items.slice(0, keep), more(items.length - keep)].join(separator);
    if (text.length <= max) return text;
  }
  return clip(more(items.length), max);
}
