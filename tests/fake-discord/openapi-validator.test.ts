import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from '../support/fake-discord/openapi-validator.js';
import { PathMatcher, decodePath } from '../support/fake-discord/path-matcher.js';
import type { ParsedBody } from '../support/fake-discord/request-body.js';

const TOKEN = 'bot-token';
const validator = OpenApiValidator.forFile();
const check = (method: string, path: string, body: ParsedBody = { kind: 'none' }, query = '', authorization?: string) =>
  validator.check({ method, path, query: new URLSearchParams(query), authorization, body }, TOKEN);
const json = (value: unknown): ParsedBody => ({ kind: 'json', json: value });
const kinds = (result: ReturnType<typeof check>) => result.problems.map((p) => p.kind);

describe('GIVEN path templates', () => {
  const matcher = new PathMatcher(['/users/{user_id}', '/users/@me', '/webhooks/{a}/{b}/messages/{message_id}', '/webhooks/{a}/{b}/messages/@original']);

  it('THEN literal segments win over parameters', () => {
    expect(matcher.match('/users/@me')?.template).toBe('/users/@me');
    expect(matcher.match('/users/123')).toEqual({ template: '/users/{user_id}', params: { user_id: '123' } });
    expect(matcher.match('/webhooks/1/t/messages/@original')?.template).toBe('/webhooks/{a}/{b}/messages/@original');
    expect(matcher.match('/webhooks/1/t/messages/42')?.params['message_id']).toBe('42');
  });

  it('THEN percent-encoded segments are decoded before matching', () => {
    expect(decodePath('/webhooks/1/t/messages/%40original')).toBe('/webhooks/1/t/messages/@original');
  });
});

describe("GIVEN Discord's OpenAPI description", () => {
  it('THEN a follow-up discord.js would send passes, tts and enforce_nonce included', () => {
    const result = check('POST', '/webhooks/1/tok', json({ content: 'hi', tts: false, enforce_nonce: false, flags: 64 }), 'wait=true');
    expect(result.operationId).toBe('execute_webhook');
    expect(result.problems).toEqual([]);
  });

  it('THEN content over 2000 characters fails the webhook schema', () => {
    const result = check('POST', '/webhooks/1/tok', json({ content: 'x'.repeat(2001) }));
    expect(kinds(result)).toEqual(['invalid-body']);
    expect(result.problems[0]?.message).toContain('/content must NOT have more than 2000 characters');
  });

  it('THEN a wrong type in the interaction callback fails', () => {
    expect(kinds(check('POST', '/interactions/1/tok/callback', json({ type: 5, data: { flags: 64 } }), 'with_response=false'))).toEqual([]);
    expect(kinds(check('POST', '/interactions/1/tok/callback', json({ type: 'deferred' })))).toEqual(['invalid-body']);
  });

  it('THEN multipart payload_json is checked with file parts as placeholders', () => {
    const file = { name: 'files[0]', filename: 'a.mp4', contentType: 'video/mp4', data: Buffer.from('x') };
    const ok: ParsedBody = { kind: 'multipart', json: { content: 'clip', attachments: [{ id: '0' }] }, files: [file] };
    expect(check('POST', '/channels/1/messages', ok, '', `Bot ${TOKEN}`).problems).toEqual([]);
    const badId: ParsedBody = { kind: 'multipart', json: { attachments: [{ id: 'zero' }] }, files: [file] };
    expect(kinds(check('POST', '/channels/1/messages', badId, '', `Bot ${TOKEN}`))).toEqual(['invalid-body']);
  });

  it('THEN undocumented routes and methods are flagged', () => {
    expect(kinds(check('POST', '/channels/1/animate'))).toEqual(['undocumented-route']);
    expect(kinds(check('PUT', '/gateway/bot', { kind: 'none' }, '', `Bot ${TOKEN}`))).toEqual(['undocumented-route']);
  });

  it('THEN path parameters must fit their schema, e.g. no "undefined" snowflake', () => {
    const result = check('PATCH', '/webhooks/undefined/tok/messages/@original', json({ content: 'x' }));
    expect(kinds(result)).toEqual(['invalid-path-param']);
    expect(result.problems[0]?.message).toContain('webhook_id="undefined"');
  });

  it('THEN query parameters are checked: undocumented names and wrong types', () => {
    expect(kinds(check('POST', '/webhooks/1/tok', json({ content: 'x' }), 'wait=true&thread_id=5'))).toEqual([]);
    expect(kinds(check('POST', '/webhooks/1/tok', json({ content: 'x' }), 'wait=maybe'))).toEqual(['invalid-query']);
    expect(kinds(check('POST', '/webhooks/1/tok', json({ content: 'x' }), 'silent=true'))).toEqual(['invalid-query']);
  });

  it('THEN routes that need the bot token require it, and webhook routes do not', () => {
    expect(kinds(check('GET', '/gateway/bot'))).toEqual(['unauthorized']);
    expect(kinds(check('GET', '/gateway/bot', { kind: 'none' }, '', 'Bot other'))).toEqual(['unauthorized']);
    expect(kinds(check('GET', '/gateway/bot', { kind: 'none' }, '', `Bot ${TOKEN}`))).toEqual([]);
    expect(kinds(check('GET', '/webhooks/1/tok/messages/@original'))).toEqual([]);
  });

  it('THEN a body where none is taken, or none where one is required, is flagged', () => {
    expect(kinds(check('GET', '/gateway/bot', json({}), '', `Bot ${TOKEN}`))).toEqual(['invalid-body']);
    expect(kinds(check('POST', '/channels/1/messages', { kind: 'none' }, '', `Bot ${TOKEN}`))).toEqual(['invalid-body']);
  });
});
