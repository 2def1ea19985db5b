import { mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageFlags, type Attachment, type ChatInputCommandInteraction } from 'discord.js';
import { DEFAULT_LIMITS, InputError, checkPhoto, checkVideo, probeMedia, verifyPhotoDecodes } from '../engine/index.js';
import { messages as storeMessages, type ParentChannel } from '../store/index.js';
import { allOrAbort } from '../util/all-or-abort.js';
import { looksLikePhoto, looksLikeVideo } from './attachment-rules.js';
import { downloadAttachment, DownloadError, type Downloaded, type DownloadPolicy } from './attachment-download.js';
import { channelParent } from './channel-parent.js';
import type { BotContext } from './context.js';
import { cancelRow, consentRow } from './components.js';
import { botMessages } from './messages.js';
import { refusePrivately } from './private-refusal.js';

/**
 * /animate, from the command to a queued job:
 *   the guild's settings and the member's limits (cheap, before any download;
 *   a refusal is a private reply) → defer (within Discord's 3 s) → consent → attachment metadata
 *   (type, size) → download both at once (CDN URLs expire) → probe → enqueue
 *   (limits checked again, atomically) → queue position and ETA.
 * Every refusal is one sentence saying what to change.
 */
export interface AnimateRequest {
  readonly photo: Attachment;
  readonly video: Attachment;
  readonly mode: 'relative' | 'absolute';
  readonly model: string | null;
  readonly bestFrame: 'off' | 'auto';
}

export function readAnimateRequest(interaction: ChatInputCommandInteraction): AnimateRequest {
  const mode = interaction.options.getString('mode');
  const best = interaction.options.getString('best_frame');
  return {
    photo: interaction.options.getAttachment('photo', true),
    video: interaction.options.getAttachment('video', true),
    mode: mode === 'absolute' ? 'absolute' : 'relative',
    model: interaction.options.getString('model'),
    bestFrame: best === 'auto' ? 'auto' : 'off',
  };
}

export async function handleAnimate(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inGuild()) {
    await interaction.reply({ content: botMessages.guildOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  const settings = ctx.store.guildSettings(interaction.guildId);
  const request = readAnimateRequest(interaction);
  // Before deferring (a synchronous SQLite read): a deferred reply's visibility is fixed by the defer, and a
  // refusal (a blocked channel, a member's limits) is the member's business, also where results are public.
  const early = checkEarly(interaction, ctx);
  const defer = () => interaction.deferReply(settings.visibility === 'requester' ? { flags: MessageFlags.Ephemeral } : {});
  if (!early.ok) {
    if (early.refusal.reason !== 'consent') {
      await interaction.reply({ content: early.message, flags: MessageFlags.Ephemeral });
      return;
    }
    await defer();
    const requestId = ctx.consent.hold(interaction, request);
    const note = early.refusal.consent === 'expired' ? `${early.message}\n\n` : '';
    const prompt = { content: `${note}${botMessages.consentPrompt}`, components: [consentRow(requestId, interaction.user.id)] };
    if (interaction.ephemeral === true) {
      await interaction.editReply(prompt);
    } else {
      // Public results: the reply is the channel's, but the terms are the member's alone to read and answer.
      await interaction.editReply({ content: botMessages.consentPendingPublic });
      await interaction.followUp({ ...prompt, flags: MessageFlags.Ephemeral });
    }
    return;
  }
  // The intake opens in the same tick as the check (no await between): a second command from the member, arriving
  // while this one is deferred and downloading, sees it in progress.
  await continueAnimate(interaction, request, ctx, defer);
}

/** The cheap checks, before any download: enabled, channel, consent, then the member's and the server's limits. */
export function checkEarly(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, ctx: BotContext): ReturnType<BotContext['store']['checkAdmission']> {
  return ctx.store.checkAdmission({
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    parentChannelId: parentChannelId(interaction),
    interactionId: interaction.id,
  });
}

/**
 * Everything after the cheap checks (also resumed after the member accepts the terms); a few at a time. `first`
 * runs once the intake is open (the defer, for a new command).
 */
export async function continueAnimate(
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  request: AnimateRequest,
  ctx: BotContext,
  first: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  // Until the job is queued (enqueue ends it) or refused, an intake row says a command is in flight
  // (store/intakes.ts), also while it waits its turn behind other members' downloads.
  ctx.store.openIntake({
    interactionId: interaction.id,
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    token: interaction.token,
    createdMs: interaction.createdTimestamp,
  });
  try {
    await first();
    await ctx.intake.run(() => intake(interaction, request, ctx));
  } finally {
    ctx.store.closeIntake(interaction.id);
  }
}

async function intake(interaction: ChatInputCommandInteraction<'cached' | 'raw'>, request: AnimateRequest, ctx: BotContext): Promise<void> {
  const log = ctx.logger.child({ interaction: interaction.id, guild: interaction.guildId, user: interaction.user.id });
  /** One sentence, to the member only (see private-refusal.ts). The command ends first: a member who tries again
   * the moment they read it must not find this one still counted as in progress. */
  const refuse = (content: string): Promise<void> => {
    ctx.store.closeIntake(interaction.id);
    return refusePrivately(interaction, content);
  };
  const settings = ctx.store.guildSettings(interaction.guildId);
  await ctx.models.refresh();
  const modelName = request.model ?? ctx.models.defaultName(ctx.config.defaultModel);
  if (!modelName || !ctx.models.get(modelName)) {
    await refuse(botMessages.unknownModel(request.model ?? ctx.config.defaultModel, ctx.models.names()));
    return;
  }
  const { photo, video } = request;
  if (!looksLikePhoto({ name: photo.name, contentType: photo.contentType, size: photo.size })) {
    await refuse(botMessages.photoNotImage(photo.contentType));
    return;
  }
  if (!looksLikeVideo({ name: video.name, contentType: video.contentType, size: video.size })) {
    await refuse(botMessages.videoNotVideo(video.contentType));
    return;
  }
  const photoCap = Math.min(settings.maxUploadBytes, DEFAULT_LIMITS.maxPhotoBytes);
  const videoCap = Math.min(settings.maxUploadBytes, DEFAULT_LIMITS.maxVideoBytes);
  for (const [a, cap] of [
    [photo, photoCap],
    [video, videoCap],
  ] as const) {
    if (a.size > cap) {
      await refuse(storeMessages.refusal({ reason: 'too-large', bytes: a.size, maxBytes: cap }));
      return;
    }
  }

  // Enough disk for both files, the clip and headroom? (A full disk fails everyone's jobs.)
  const free = ctx.config.minFreeDiskMb > 0 ? await freeDiskBytes(ctx.config.dataDir) : null;
  if (free !== null && free < photo.size + video.size * 3 + ctx.config.minFreeDiskMb * 1024 * 1024) {
    log.warn('refused: low disk space', { freeBytes: free, minFreeDiskMb: ctx.config.minFreeDiskMb });
    await refuse(botMessages.lowDisk);
    return;
  }

  const jobId = ctx.store.newJobId();
  const dir = ctx.store.jobDirectory(jobId);
  let keep = false;
  try {
    await mkdir(dir, { recursive: true });
    const policy = (maxBytes: number, expectedBytes: number): DownloadPolicy => ({
      expectedBytes,
      allowedHosts: ctx.config.cdnHosts,
      allowHttp: ctx.config.allowInsecureCdn,
      maxBytes,
      timeoutMs: ctx.config.downloadTimeoutSeconds * 1000,
      idleTimeoutMs: ctx.config.downloadIdleSeconds * 1000,
    });
    // At most what Discord says the file holds (and never over the cap): a CDN that sends more is cut off.
    const fetchOne = (what: 'photo' | 'video', a: Attachment, file: string, cap: number) => (signal: AbortSignal) =>
      downloadAttachment(a.url, join(dir, `${file}${safeExtension(a.name)}`), policy(Math.min(cap, a.size), a.size), signal).catch((e: unknown) => {
        throw e instanceof DownloadError ? new AttachmentFailure(what, e) : e;
      });
    // One failed download stops the other before the job folder is removed.
    const [photoFile, videoFile] = await allOrAbort<[Downloaded, Downloaded]>([
      fetchOne('photo', photo, 'photo', photoCap),
      fetchOne('video', video, 'driving', videoCap),
    ]);
    // The engine's checks, with this server's duration limit (the header of a 10-hour file stops here).
    const limits = { ...DEFAULT_LIMITS, maxDurationSeconds: settings.maxDrivingSeconds };
    const [photoInfo, videoInfo] = await Promise.all([probeMedia(photoFile.path, 'photo', limits), probeMedia(videoFile.path, 'video', limits)]);
    checkPhoto(photoInfo, limits);
    const checked = checkVideo(videoInfo, limits);
    await verifyPhotoDecodes(photoFile.path, photoInfo);
    const seconds = videoInfo.durationSeconds ?? (checked.estimatedFrames ?? 0) / checked.fps;
    const result = ctx.store.enqueue({
      id: jobId,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      parentChannelId: parentChannelId(interaction),
      interaction: { id: interaction.id, token: interaction.token, createdMs: interaction.createdTimestamp },
      source: { path: photoFile.path, sha256: photoFile.sha256, bytes: photoFile.bytes },
      driving: { path: videoFile.path, sha256: videoFile.sha256, bytes: videoFile.bytes, seconds },
      model: modelName,
      // The server's duration limit travels with the job: the engine enforces it again on the decoded frames.
      options: { mode: request.mode, bestFrame: request.bestFrame, maxSeconds: settings.maxDrivingSeconds },
      attachmentLimitBytes: interaction.attachmentSizeLimit || null,
      // As the reply was deferred: ephemeral for private results.
      visibility: interaction.ephemeral === true ? 'requester' : 'public',
      requireOpenIntake: true,
    });
    if (!result.ok) {
      // The terms were checked before the download: a consent refusal now means the answer changed meanwhile
      // (forget-me, a moderator asking again), and this reply has no buttons to answer it.
      await refuse(result.refusal.reason === 'consent' ? botMessages.consentChangedRunAgain : result.message);
      return;
    }
    keep = true;
    const status = ctx.store.queueStatus(jobId);
    const queued = botMessages.queued(status?.position ?? 1, status?.etaDoneMs ?? Date.now());
    if (status?.state === 'queued') ctx.queueUpdates.showing(jobId, status.position);
    const note = ctx.models.onlyDemo() ? `\n${botMessages.demoModelOnly}` : '';
    // The job is committed: a status edit that fails (Discord 5xx, a token gone stale while consent waited)
    // must not tell the member something went wrong; the result is delivered by the later routes anyway.
    await interaction.editReply({ content: `${queued}${note}`, components: [cancelRow(jobId)] }).catch((e: unknown) => {
      log.warn('queued, but the status message could not be shown', { job: jobId, error: (e as Error).message });
    });
    log.info('job queued', { job: jobId, model: modelName, position: status?.position, seconds });
    ctx.runner.wake();
  } catch (e) {
    if (e instanceof InputError) {
      // Said as the server's rule, like the other server limits.
      const duration = Number(e.context['duration']);
      const content =
        e.code === 'video-too-long' && Number.isFinite(duration)
          ? storeMessages.refusal({ reason: 'too-long', seconds: duration, maxSeconds: settings.maxDrivingSeconds })
          : e.message;
      await refuse(content);
    } else if (e instanceof AttachmentFailure) {
      // Sizes were checked from Discord's metadata before downloading: a failure here is the CDN's
      // (an expired or moved URL, a body larger than declared, a stalled or redirected download).
      log.warn('attachment download failed', { what: e.what, reason: e.cause.reason, error: e.cause.message });
      await refuse(e.cause.reason === 'disk-full' ? botMessages.lowDisk : botMessages.downloadFailed(e.what));
    } else {
      throw e;
    }
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** A download that failed, with which attachment it was. */
class AttachmentFailure extends Error {
  constructor(
    readonly what: 'photo' | 'video',
    override readonly cause: DownloadError,
  ) {
    super(`${what}: ${cause.message}`);
  }
}

/** The thread's parent, null outside threads, 'unknown' when the channel is not one the bot can see (see isChannelAllowed). */
function parentChannelId(interaction: ChatInputCommandInteraction): ParentChannel {
  return channelParent(interaction.channel);
}

async function freeDiskBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** A short, safe extension from an uploaded file name (the name itself is never used as a path). */
function safeExtension(name: string): string {
  const m = /\.([a-z0-9]{1,5})$/i.exec(name);
  return m ? `.${m[1]!.toLowerCase()}` : '';
}
