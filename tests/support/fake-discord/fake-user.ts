import type { APIUser, UserFlags } from 'discord.js';

/** A Discord user; `dmsClosed` may be flipped at any time. */
export interface FakeUserInit {
  id?: string;
  username?: string;
  globalName?: string | null;
  bot?: boolean;
  /** Messages to this user's DM channel get 403 50007 "Cannot send messages to this user". */
  dmsClosed?: boolean;
}

export class FakeUser {
  readonly id: string;
  readonly username: string;
  readonly globalName: string | null;
  readonly bot: boolean;
  dmsClosed: boolean;

  constructor(id: string, init: FakeUserInit) {
    this.id = id;
    this.username = init.username ?? `user${id.slice(-6)}`;
    this.globalName = init.globalName ?? null;
    this.bot = init.bot ?? false;
    this.dmsClosed = init.dmsClosed ?? false;
  }

  toAPI(): APIUser {
    return {
      id: this.id,
      username: this.username,
      global_name: this.globalName,
      discriminator: '0',
      avatar: null,
      public_flags: 0 as UserFlags,
      flags: 0 as UserFlags,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      primary_guild: null,
      ...(this.bot ? { bot: true } : {}),
    };
  }
}
