import type { SlashCommand } from '../src/bot/app/context.js';
import { animate } from './animate.js';
import { forgetMe } from './forget-me.js';
import { history } from './history.js';
import { settings } from './settings.js';

/** Every slash command the bot registers, one module each. */
export const commands: readonly SlashCommand[] = [animate, history, forgetMe, settings];
