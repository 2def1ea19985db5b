import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runBotEntry as run } from '../support/bot-entry.js';
import { BotWorld, realisticToken } from '../support/bot-world.js';

const token = realisticToken('123456789012345678');
const valid = { DISCORD_TOKEN: token, DISCORD_CLIENT_ID: '123456789012345678' };

describe('configuration', () => {
  it('GIVEN the required settings THEN the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      guildId: null,
      device: 'auto',
      workers: 1,
      logLevel: 'info',
      apiBase: null,
      cdnHosts: ['cdn.discordapp.com', 'media.discordapp.net'],
      defaultModel: 'default',
      databaseUrl: null,
      media: { backend: 'local', chunkBytes: 1024 * 1024 },
      shards: null,
    });
    expect(loadConfig({ ...valid, MARIONETTE_SHARDS: 'auto' }).shards).toBe('auto');
    expect(loadConfig({ ...valid, MARIONETTE_SHARDS: '4' }).shards).toBe(4);
    expect(loadConfig({ ...valid, MARIONETTE_SHARDS: '1' }).shards).toBeNull();
  });
  it.each([
    [{}, /^DISCORD_TOKEN is not set: put the bot token/],
    [{ DISCORD_TOKEN: 'hunter2' }, /^DISCORD_TOKEN does not look like a bot token/],
    [{ DISCORD_TOKEN: token }, /^DISCORD_CLIENT_ID is not set/],
    [{ ...valid, DISCORD_CLIENT_ID: 'my-bot' }, /^DISCORD_CLIENT_ID must be the application's numeric id/],
    [{ ...valid, MARIONETTE_DEVICE: 'tpu' }, /^MARIONETTE_DEVICE must be one of auto, cpu, webgpu, cuda/],
    [{ ...valid, MARIONETTE_WORKERS: '17' }, /^MARIONETTE_WORKERS must be a whole number from 0 to 16/],
    [{ ...valid, MARIONETTE_SHARDS: 'many' }, /^MARIONETTE_SHARDS must be auto or a whole number from 1 to 4096/],
    [{ ...valid, MARIONETTE_MEDIA: 's3' }, /^MARIONETTE_MEDIA must be one of local, postgres/],
    [{ ...valid, MARIONETTE_MEDIA: 'postgres' }, /^MARIONETTE_MEDIA is postgres, but DATABASE_URL is not set/],
  ])('GIVEN a bad setting THEN one sentence naming it (%#)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
  it('GIVEN a wrong token THEN the message never repeats it', () => {
    const secret = 'definitely-a-secret-value-1234567890';
    let error: unknown = null;
    try {
      loadConfig({ DISCORD_TOKEN: secret, DISCORD_CLIENT_ID: '1' });
    } catch (e) {
      error = e;
    }
    expect(error, 'loadConfig must refuse a token that is not a bot token').toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^DISCORD_TOKEN does not look like a bot token/);
    expect((error as Error).message).not.toContain(secret);
  });
  it('GIVEN MARIONETTE_SHUTDOWN_GRACE_SECONDS THEN the grace a running job gets on shutdown (20 s by default)', () => {
    expect(loadConfig(valid).shutdownGraceSeconds).toBe(20);
    expect(loadConfig({ ...valid, MARIONETTE_SHUTDOWN_GRACE_SECONDS: '0' }).shutdownGraceSeconds).toBe(0);
    expect(() => loadConfig({ ...valid, MARIONETTE_SHUTDOWN_GRACE_SECONDS: 'soon' })).toThrow(
      /^MARIONETTE_SHUTDOWN_GRACE_SECONDS must be a whole number from 0 to 3600/,
    );
  });
});

describe('npm start', () => {
  it('GIVEN a malformed token THEN it stops with one sentence (exit 78) and does not print the token', async () => {
    const secret = 'not.a-real-token';
    const r = await run('main.js', { DISCORD_TOKEN: secret, DISCORD_CLIENT_ID: '123456789012345678' });
    expect(r.code).toBe(78);
    expect(r.out.trim()).toBe(
      'marionette: DISCORD_TOKEN does not look like a bot token (three dot-separated parts); copy it again from the Discord developer portal.',
    );
    expect(r.out).not.toContain(secret);
  });
});

describe('npm start without ffmpeg', () => {
  let world: BotWorld;
  beforeAll(async () => {
    world = await BotWorld.create();
  });
  afterAll(() => world.close());

  it('GIVEN no ffmpeg on the machine THEN it stops before connecting with one sentence naming the install command (exit 78)', async () => {
    const r = await run('main.js', { ...world.env(), PATH: '/nonexistent', FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/^marionette: No working ffmpeg was found: .*\(Debian\/Ubuntu: npm run setup, or sudo apt-get install -y ffmpeg\)\.$/m);
    expect(r.out).not.toMatch(/\n\s+at /);
    expect(world.discord.identifies).toHaveLength(0);
  });
});

describe('npm run deploy-commands', () => {
  let world: BotWorld;
  beforeAll(async () => {
    world = await BotWorld.create();
  });
  afterAll(() => world.close());

  it('GIVEN DISCORD_GUILD_ID THEN the commands are registered in that guild, with a body Discord accepts', async () => {
    const guild = world.discord.guild().id;
    const r = await run('deploy-commands.js', { ...world.env(), DISCORD_GUILD_ID: guild });
    expect(r.out).toMatch(/^Registered 4 commands \(\/animate, \/history, \/forget-me, \/settings\) in guild \d+\.$/m);
    expect(r.code).toBe(0);
    expect(world.discord.commands(guild).map((c) => c.name)).toEqual(['animate', 'history', 'forget-me', 'settings']);
    expect(world.discord.commands(guild).find((c) => c.name === 'settings')?.default_member_permissions).toBe('32');
    world.discord.assertNoViolations();
  });

  it('GIVEN no guild THEN the commands are registered globally', async () => {
    const r = await run('deploy-commands.js', world.env());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/globally/);
    expect(world.discord.commands().map((c) => c.name)).toEqual(['animate', 'history', 'forget-me', 'settings']);
    world.discord.assertNoViolations();
  });
});
