import { Locale } from 'discord.js';
import { discordErrors } from '../discord-error.js';
import { json, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';

/** The bot's own user, other users, and opening DM channels. */
export function registerUserRoutes(table: RouteTable, state: FakeState): void {
  table.on('GET', '/users/@me', () =>
    json(200, { ...state.world.botUser.toAPI(), bot: true, mfa_enabled: true, locale: Locale.EnglishUS, verified: true, email: null }),
  );
  table.on('GET', '/users/{user_id}', (req) => {
    const user = state.world.users.get(req.params['user_id'] as string);
    if (!user) throw discordErrors.unknownUser();
    return json(200, user.toAPI());
  });
  // Opening a DM works even when the user has closed DMs; sending to it is what fails.
  table.on('POST', '/users/@me/channels', (req) => {
    const user = state.world.users.get(String(req.json.recipient_id));
    if (!user) throw discordErrors.unknownUser();
    return json(200, state.world.channelToAPI(state.world.dmChannel(user)));
  });
}
