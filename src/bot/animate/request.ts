import type { Attachment } from 'discord.js';
import type { FramingMode } from '../../engine/index.js';

/** What a member asked of /animate, as commands/animate.ts reads it from the interaction's options. */
export interface AnimateRequest {
  readonly photo: Attachment;
  readonly video: Attachment;
  readonly mode: 'relative' | 'absolute';
  /** The model chosen, or null for the server's default. */
  readonly model: string | null;
  readonly bestFrame: 'off' | 'auto';
  /** How the photo and video are framed for the model (auto: as the model was trained; docs/framing.md). */
  readonly framing: FramingMode;
}
