/**
 * Matches a decoded request path such as `/webhooks/1/abc/messages/@original`
 * to one of the OpenAPI path templates. Where several templates fit, the one
 * with a literal segment at the first place they differ wins, so
 * `/messages/@original` beats `/messages/{message_id}` and `/users/@me` beats
 * `/users/{user_id}`.
 */
export interface PathMatch {
  template: string;
  params: Record<string, string>;
}

interface Template {
  template: string;
  segments: Array<{ literal: string } | { param: string }>;
}

export class PathMatcher {
  readonly #byLength = new Map<number, Template[]>();

  constructor(templates: Iterable<string>) {
    for (const template of templates) {
      const segments = splitPath(template).map((s) => {
        const param = /^\{(.+)\}$/.exec(s)?.[1];
        return param === undefined ? { literal: s } : { param };
      });
      const list = this.#byLength.get(segments.length) ?? [];
      list.push({ template, segments });
      this.#byLength.set(segments.length, list);
    }
    for (const list of this.#byLength.values()) list.sort(byLiteralsFirst);
  }

  /** `path` must already be percent-decoded segment by segment (see `decodePath`). */
  match(path: string): PathMatch | null {
    const parts = splitPath(path);
    for (const candidate of this.#byLength.get(parts.length) ?? []) {
      const params: Record<string, string> = {};
      const fits = candidate.segments.every((segment, i) => {
        const part = parts[i] as string;
        if ('literal' in segment) return segment.literal === part;
        params[segment.param] = part;
        return part.length > 0;
      });
      if (fits) return { template: candidate.template, params };
    }
    return null;
  }
}

/** Splits and percent-decodes a raw URL path (`%40original` → `@original`). */
export function decodePath(rawPath: string): string {
  return splitPath(rawPath)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .map((segment) => `/${segment}`)
    .join('');
}

function splitPath(path: string): string[] {
  return path.replace(/^\//, '').split('/');
}

/** Sorts templates so that, segment by segment, literals come before parameters. */
function byLiteralsFirst(a: Template, b: Template): number {
  for (let i = 0; i < a.segments.length; i++) {
    const aLiteral = 'literal' in (a.segments[i] as object);
    const bLiteral = 'literal' in (b.segments[i] as object);
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}
