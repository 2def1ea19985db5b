import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { resolveInside } from '../../store/index.js';
import type { ButtonHandler } from '../app/context.js';
import { clipFileName } from '../delivery/plan.js';
import {
  parseForgetButton,
  parseHistoryDelete,
  parseHistoryDeleteYes,
  parseHistoryPage,
  parseHistoryShow,
  type ForgetAction,
  type PageRef,
  type ShowTarget,
} from './ids.js';
import { inScope, loadHistoryView, postRefusal } from './page.js';
import { deleteConfirmView, isShowable, type HistoryView } from './view.js';
import { botMessages, DISCLAIMER } from '../messages/bot.js';
import { historyMessages as m } from '../messages/history.js';
import { keepStopNotice, showStopNotice, stopJobsOf } from '../status/stop-jobs.js';
import { clipMessage } from '../messages/framing.js';

/**
 * The buttons of /history and /forget-me. Nothing is kept in memory: each
 * click reads the job and the page from the store, so buttons work after a
 * restart. Every handler checks the clicking user: a page is always their
 * own, a job must be theirs (getJobForOwner), and a message is only changed
 * by the user it was made for.
 */
const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

function refuse(interaction: ButtonInteraction, content: string): Promise<unknown> {
  return interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

/** The message was made for the clicking user (ephemeral messages are; a crafted click on another's is not). */
function madeFor(interaction: ButtonInteraction): boolean {
  return interaction.message.interactionMetadata?.user.id === interaction.user.id;
}

function asUpdate(view: HistoryView) {
  return { content: view.content, embeds: view.embeds, components: view.components, allowedMentions: { parse: [] } };
}

/** ◀ Newer / Older ▶, and Keep it: show a page of the clicking user's own history. */
export const historyPageButton: ButtonHandler<{ page: PageRef }> = {
  name: 'history-page',
  parse: parseHistoryPage,
  async run(interaction, { page }, ctx) {
    if (!madeFor(interaction)) return void (await refuse(interaction, m.notYourHistory));
    await interaction.update(asUpdate(await loadHistoryView(ctx, interaction, page)));
  },
};

/** Show (only you) / Post in channel: the clip again, with the disclaimer. */
export const historyShowButton: ButtonHandler<{ jobId: string; target: ShowTarget }> = {
  name: 'history-show',
  parse: parseHistoryShow,
  async run(interaction, { jobId, target }, ctx) {
    const job = await ctx.store.getJobForOwner(jobId, interaction.user.id);
    if (!job || !inScope(job, interaction)) return void (await refuse(interaction, m.notInHistory));
    if (job.expiredMs !== null) return void (await refuse(interaction, m.expired));
    if (!isShowable(job)) return void (await refuse(interaction, m.noClip(job.state)));
    if (target === 'channel') {
      const why = await postRefusal(ctx, interaction);
      if (why !== null) return void (await refuse(interaction, why));
    }
    const size = await ctx.files.resultBytes(job);
    if (size === null) return void (await refuse(interaction, m.clipMissing));
    const limit = interaction.attachmentSizeLimit || DEFAULT_UPLOAD_LIMIT;
    if (size > limit) return void (await refuse(interaction, m.clipTooLarge(size, limit)));
    await interaction.deferReply(target === 'me' ? { flags: MessageFlags.Ephemeral } : {});
    // Fetched from the media store when a worker on another host made it (after the defer: it may take a moment).
    const fetched = await ctx.files.localResult(job).catch((e: unknown) => {
      ctx.logger.warn('the clip could not be fetched from the media store', { job: job.id, error: (e as Error).message });
      return null;
    });
    if (fetched === null) return void (await interaction.editReply({ content: m.clipMissing }));
    const path = resolveInside(ctx.store.dataDir, fetched);
    const header = target === 'me' ? m.shown(job.createdMs) : m.posted(interaction.user.id, job.createdMs);
    await interaction.editReply({
      content: clipMessage(header, job.output?.notes ?? [], DISCLAIMER),
      files: [{ attachment: path, name: clipFileName(job.id, path) }],
      allowedMentions: { parse: [] },
    });
    ctx.logger.info('clip shown again', { job: job.id, user: interaction.user.id, target });
  },
};

/** Delete: asks to confirm, in place of the page. */
export const historyDeleteButton: ButtonHandler<{ jobId: string; page: PageRef }> = {
  name: 'history-delete',
  parse: parseHistoryDelete,
  async run(interaction, { jobId, page }, ctx) {
    if (!madeFor(interaction)) return void (await refuse(interaction, m.notYourHistory));
    const job = await ctx.store.getJobForOwner(jobId, interaction.user.id);
    if (!job || !inScope(job, interaction)) return void (await refuse(interaction, m.notInHistory));
    if (job.state === 'running') return void (await refuse(interaction, m.deleteRunning));
    await interaction.update(asUpdate(deleteConfirmView(job, page)));
  },
};

/** Delete it: removes the row and the files, then shows the page again. */
export const historyDeleteYesButton: ButtonHandler<{ jobId: string; page: PageRef }> = {
  name: 'history-delete-yes',
  parse: parseHistoryDeleteYes,
  async run(interaction, { jobId, page }, ctx) {
    if (!madeFor(interaction)) return void (await refuse(interaction, m.notYourHistory));
    const job = await ctx.store.getJobForOwner(jobId, interaction.user.id);
    if (!job || !inScope(job, interaction)) {
      await interaction.update(asUpdate(await loadHistoryView(ctx, interaction, page, m.alreadyDeleted)));
      return;
    }
    // A queued job's status message still shows its place in the queue and a Cancel button: read its token first.
    const token = job.state === 'queued' ? await ctx.store.interactionToken(job.id) : null;
    const outcome = await ctx.store.deleteJobForOwner(job.id, interaction.user.id);
    if (!outcome.deleted) {
      if (outcome.reason === 'running') return void (await refuse(interaction, m.deleteRunning));
      await interaction.update(asUpdate(await loadHistoryView(ctx, interaction, page, m.alreadyDeleted)));
      return;
    }
    ctx.logger.info('job deleted by its owner', { job: job.id, user: interaction.user.id, files: outcome.filesRemoved });
    await interaction.update(asUpdate(await loadHistoryView(ctx, interaction, page, m.deleted(job.createdMs, outcome.filesRemoved))));
    if (job.state === 'queued') {
      keepStopNotice(job.id, botMessages.deletedWhileQueued);
      await showStopNotice(ctx, job.id, token);
    }
  },
};

/** /forget-me's answer: only the user who asked; Delete everything stops their jobs, then deletes all. */
export const forgetButton: ButtonHandler<{ action: ForgetAction; userId: string }> = {
  name: 'forget-me',
  parse: parseForgetButton,
  async run(interaction, { action, userId }, ctx) {
    if (interaction.user.id !== userId) return void (await refuse(interaction, m.forgetNotYours));
    if (action === 'cancel') {
      await interaction.update({ content: m.forgetCancelled, components: [] });
      return;
    }
    await interaction.deferUpdate();
    const stopped = await stopJobsOf(ctx, userId, null, botMessages.stoppedForgetMe);
    const report = await ctx.store.forgetUser(userId);
    ctx.logger.info('user forgotten', { user: userId, jobs: report.jobsDeleted, files: report.filesRemoved, stopped: stopped.length });
    await interaction.editReply({ content: m.forgetDone(report), components: [] });
  },
};

export const historyButtons = [historyPageButton, historyShowButton, historyDeleteButton, historyDeleteYesButton, forgetButton] as const;
