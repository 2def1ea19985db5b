import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BotConfig } from '../../config.js';
import type { GuildFilter, Store } from '../../store/index.js';
import type { JobFiles } from '../../jobs/job-files.js';
import type { Logger } from '../../util/log.js';
import type { Semaphore } from '../../util/semaphore.js';
import type { ConsentGate } from '../animate/consent-gate.js';
import type { Deliverer } from '../delivery/deliverer.js';
import type { DiscordApi } from '../discord/api.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { ModelCatalog } from '../../jobs/model-catalog.js';
import type { QueueUpdates } from '../status/queue-updates.js';

/** What command and component handlers get: the bot's services, nothing global. */
export interface BotContext {
  readonly config: BotConfig;
  readonly store: Store;
  /** Where jobs' files are for this process (fetched from the media store when a worker elsewhere made them). */
  readonly files: JobFiles;
  readonly logger: Logger;
  readonly models: ModelCatalog;
  readonly runner: JobRunner;
  readonly deliverer: Deliverer;
  readonly api: DiscordApi;
  readonly consent: ConsentGate;
  /** Bounds how many commands download and check their files at once. */
  readonly intake: Semaphore;
  readonly queueUpdates: QueueUpdates;
  readonly shards: ShardPart;
}

/** The gateway shards this process holds, and so the guilds whose jobs it shows and delivers. */
export interface ShardPart {
  readonly ids: readonly number[];
  readonly count: number;
  /** Its guilds; undefined when it holds them all. */
  readonly guilds: GuildFilter | undefined;
  /** Whether it does the work done once for the whole bot (the retention sweep). */
  readonly holdsFirst: boolean;
}

/** A slash command module in commands/: its definition and its handler. */
export interface SlashCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

/** A button handler: `parse` says whether a custom id is its own (pure), `run` acts on it. */
export interface ButtonHandler<T> {
  readonly name: string;
  parse(customId: string): T | null;
  run(interaction: ButtonInteraction, parsed: T, ctx: BotContext): Promise<void>;
}
