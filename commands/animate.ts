import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { AnimateRequest } from '../src/bot/animate/request.js';
import type { FramingMode } from '../src/engine/index.js';
import { startAnimate } from '../src/bot/animate/start.js';
import type { SlashCommand } from '../src/bot/app/context.js';

/** /animate photo:<attachment> video:<attachment> [mode] [model] [best_frame] [framing] */
export const animate: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('animate')
    .setDescription('Animate a photo with the motion of a video (the result is labelled AI-generated).')
    .setDMPermission(false)
    .addAttachmentOption((o) => o.setName('photo').setDescription('The still photo to animate (JPEG, PNG, WebP).').setRequired(true))
    .addAttachmentOption((o) => o.setName('video').setDescription('The video whose motion drives the photo (MP4, MOV, WebM).').setRequired(true))
    .addStringOption((o) =>
      o
        .setName('mode')
        .setDescription('How motion is transferred (default: relative).')
        .addChoices({ name: 'relative: move as the video moves', value: 'relative' }, { name: 'absolute: copy the video’s pose', value: 'absolute' }),
    )
    // 64: the longest model name (manifest.ts); Discord then refuses longer text before it reaches the bot.
    .addStringOption((o) => o.setName('model').setDescription('Which installed model to use.').setAutocomplete(true).setMaxLength(64))
    .addStringOption((o) =>
      o
        .setName('best_frame')
        .setDescription('Start from the video frame that best matches the photo (default: off).')
        .addChoices({ name: 'off: start from the first frame', value: 'off' }, { name: 'auto: find the best frame', value: 'auto' }),
    )
    .addStringOption((o) =>
      o
        .setName('framing')
        .setDescription('How the photo and video are framed for the model (default: auto, as the model was trained).')
        .addChoices(
          { name: 'auto: as the model was trained (faces, or the whole subject)', value: 'auto' },
          { name: 'face: around the face', value: 'face' },
          { name: 'whole: the whole picture, padded', value: 'whole' },
          { name: 'centre: the centred square', value: 'centre' },
        ),
    ),
  execute: (interaction, ctx) => startAnimate(interaction, readRequest(interaction), ctx),
  async autocomplete(interaction, ctx) {
    await ctx.models.refresh();
    const typed = interaction.options.getFocused().toLowerCase();
    const choices = ctx.models
      .names()
      .filter((n) => n.includes(typed))
      .slice(0, 25)
      .map((name) => ({ name: `${name}: ${ctx.models.get(name)?.manifest.trainedOn.slice(0, 80) ?? ''}`.slice(0, 100), value: name }));
    await interaction.respond(choices);
  },
};

/** The member's choices, from the command's options (Discord enforces the choices and lengths declared above). */
function readRequest(interaction: ChatInputCommandInteraction): AnimateRequest {
  return {
    photo: interaction.options.getAttachment('photo', true),
    video: interaction.options.getAttachment('video', true),
    mode: interaction.options.getString('mode') === 'absolute' ? 'absolute' : 'relative',
    model: interaction.options.getString('model'),
    bestFrame: interaction.options.getString('best_frame') === 'auto' ? 'auto' : 'off',
    framing: framingChoice(interaction.options.getString('framing')),
  };
}

const FRAMINGS: readonly FramingMode[] = ['auto', 'face', 'whole', 'centre'];
function framingChoice(value: string | null): FramingMode {
  return FRAMINGS.find((f) => f === value) ?? 'auto';
}
