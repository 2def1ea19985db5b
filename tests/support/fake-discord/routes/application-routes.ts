import { discordErrors } from '../discord-error.js';
import type { CommandDefinition } from '../command-registry.js';
import { json, type RestRequest, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';

/** The application itself and its commands (bulk overwrite, as deploy scripts use). */
export function registerApplicationRoutes(table: RouteTable, state: FakeState): void {
  const application = () => ({
    id: state.applicationId,
    name: state.world.botUser.username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    flags_new: '0',
    bot: state.world.botUser.toAPI(),
    owner: ownerOf(state).toAPI(),
    team: null,
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    approximate_guild_count: state.world.guilds.length,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    eligible_oauth2_scopes: ['applications.commands', 'bot'],
  });
  table.on('GET', '/applications/@me', () => json(200, application()));
  table.on('GET', '/oauth2/applications/@me', () => json(200, application()));

  const scope = (req: RestRequest): string | null => {
    if (req.params['application_id'] !== state.applicationId) throw discordErrors.missingAccess();
    const guildId = req.params['guild_id'] ?? null;
    if (guildId !== null && !state.world.guild(guildId)) throw discordErrors.missingAccess();
    return guildId;
  };
  for (const template of ['/applications/{application_id}/commands', '/applications/{application_id}/guilds/{guild_id}/commands']) {
    table.on('GET', template, (req) => json(200, state.commands.list(scope(req))));
    table.on('PUT', template, (req) => json(200, state.commands.overwrite(scope(req), (req.json ?? []) as CommandDefinition[])));
  }
}

function ownerOf(state: FakeState) {
  return state.world.guilds[0] ? (state.world.users.get(state.world.guilds[0].ownerId) ?? state.world.botUser) : state.world.botUser;
}
