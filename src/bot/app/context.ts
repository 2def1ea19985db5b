import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BotConfig } from '../../config.js';
import type { Store } from '../../store/index.js';
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
  readonly logger: Logger;
  readonly models: ModelCatalog;
  readonly runner: JobRunner;
  readonly deliverer: Deliverer;
  readonly api: DiscordApi;
  readonly consent: ConsentGate;
  /** Bounds how many commands download and check their files at once. */
  readonly intake: Semaphore;
  readonly queueUpdates: QueueUpdates;
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
