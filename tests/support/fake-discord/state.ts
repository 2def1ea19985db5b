import type { APIGatewayBotInfo } from 'discord.js';
import type { Cdn } from './cdn.js';
import type { Clock } from './clock.js';
import type { CommandRegistry } from './command-registry.js';
import type { InteractionRegistry } from './interaction.js';
import type { MessageComposer } from './message-composer.js';
import type { MessageStore } from './message-store.js';
import type { Snowflakes } from './snowflake.js';
import type { World } from './world.js';

/** What route handlers share: the fake's state and settings. */
export interface FakeState {
  readonly applicationId: string;
  readonly world: World;
  readonly messages: MessageStore;
  readonly composer: MessageComposer;
  readonly interactions: InteractionRegistry;
  readonly commands: CommandRegistry;
  readonly cdn: Cdn;
  readonly clock: Clock;
  readonly ids: Snowflakes;
  readonly gatewayUrl: string;
  /** GET /gateway/bot's answer now: recommended shards and the session start limit. */
  readonly gatewayBot: () => APIGatewayBotInfo;
  /** Per-file upload limit outside interactions (interactions carry their own). */
  readonly attachmentSizeLimit: number;
  /** null: no 3-second rule. */
  readonly ackWindowMs: number | null;
}
