/**
 * Reading settings from the environment: each reader names the variable in a one-sentence ConfigError when its
 * value is missing or wrong, and never repeats a secret's value.
 */
import { ConfigError } from '../engine/errors.js';

export function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new ConfigError(`${name} is not set: put ${what} in .env (see .env.example).`);
  return v;
}

export function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

export function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const v = optional(env, name);
  if (v === null) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${v}".`);
  return Number(v);
}

export function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const v = (optional(env, name) ?? fallback) as T;
  if (!allowed.includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${v}".`);
  return v;
}
