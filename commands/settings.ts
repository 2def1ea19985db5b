import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder, type SlashCommandIntegerOption } from 'discord.js';
import { SETTING_BOUNDS } from '../src/store/index.js';
import type { SlashCommand } from '../src/bot/app/context.js';
import { handleSettings } from '../src/bot/settings/command.js';
import { LIMIT_OPTION_NAMES, UPLOAD_MB_BOUNDS } from '../src/bot/settings/patch.js';

/**
 * /settings for moderators (Manage Server by default; checked again on every
 * run, see src/bot/settings-command.ts). The option bounds are the store's, so
 * Discord's client refuses out-of-range values before they are sent; the bot
 * validates again.
 */
const bounded = (o: SlashCommandIntegerOption, name: string, description: string, [min, max]: readonly [number, number]) =>
  o.setName(name).setDescription(`${description} (${min}–${max})`).setMinValue(min).setMaxValue(max);

export const settings: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('settings')
    .setDescription("Marionette's settings for this server (moderators).")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) => s.setName('view').setDescription('Show the current settings.'))
    .addSubcommand((s) =>
      s
        .setName('limits')
        .setDescription('Change rate and size limits; give only the ones to change.')
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.perHour, 'Animations one member may start per hour', SETTING_BOUNDS.perUserPerHour))
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.perDay, 'Animations one member may start per day', SETTING_BOUNDS.perUserPerDay))
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.concurrent, 'Animations one member may have in progress', SETTING_BOUNDS.perUserConcurrent))
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.serverPerDay, 'Animations the whole server may start per day', SETTING_BOUNDS.guildPerDay))
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.maxVideoSeconds, 'Longest driving video, in seconds', SETTING_BOUNDS.maxDrivingSeconds))
        .addIntegerOption((o) => bounded(o, LIMIT_OPTION_NAMES.maxUploadMb, 'Largest photo or video, in MB', UPLOAD_MB_BOUNDS)),
    )
    .addSubcommand((s) =>
      s
        .setName('channels')
        .setDescription('Allow or block Marionette in a channel.')
        .addChannelOption((o) =>
          o.setName('channel').setDescription('A channel (its threads follow it), or one thread.').setRequired(true).addChannelTypes(
            // The channels a slash command can be used in (voice and stage channels have a text chat; forum posts
            // are threads), and single threads (a thread's own rule counts too). Not media channels (16): Discord's
            // published API description does not list the type yet; their posts, threads, can be chosen.
            ChannelType.GuildText,
            ChannelType.GuildAnnouncement,
            ChannelType.GuildForum,
            ChannelType.GuildVoice,
            ChannelType.GuildStageVoice,
            ChannelType.PublicThread,
            ChannelType.PrivateThread,
            ChannelType.AnnouncementThread,
          ),
        )
        .addStringOption((o) =>
          o
            .setName('rule')
            .setDescription('allow: once any channel is allowed, only allowed ones work; block: never here.')
            .setRequired(true)
            .addChoices({ name: 'allow', value: 'allow' }, { name: 'block', value: 'block' }, { name: 'clear: remove its rule', value: 'clear' }),
        ),
    )
    .addSubcommand((s) => s.setName('enable').setDescription('Turn Marionette on in this server.'))
    .addSubcommand((s) => s.setName('disable').setDescription('Turn Marionette off in this server (/animate is refused).'))
    .addSubcommand((s) =>
      s
        .setName('visibility')
        .setDescription('Who sees results.')
        .addStringOption((o) =>
          o
            .setName('results')
            .setDescription('public: posted in the channel; requester: only the member who asked.')
            .setRequired(true)
            .addChoices({ name: 'public: in the channel', value: 'public' }, { name: 'requester: only the member who asked', value: 'requester' }),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('retention')
        .setDescription('After how many days photos, videos and results are deleted.')
        .addIntegerOption((o) => bounded(o, 'days', 'Days after an animation finishes', SETTING_BOUNDS.retentionDays).setRequired(true)),
    )
    .addSubcommand((s) => s.setName('require-consent').setDescription("Ask every member to accept Marionette's terms again."))
    .addSubcommand((s) => s.setName('audit').setDescription('Latest settings changes and latest animations (who, when, input hashes).'))
    .addSubcommand((s) =>
      s
        .setName('purge')
        .setDescription("Delete a member's animations in this server (audited).")
        .addUserOption((o) => o.setName('user').setDescription('The member.').setRequired(true)),
    ),
  execute: handleSettings,
};
