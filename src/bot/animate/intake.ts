import { mkdir, rm, statfs } from 'node:fs/promises';
import type { ChatInputCommandInteraction } from 'discord.js';
import { DEFAULT_LIMITS, InputError, checkPhoto, checkVideo, probeMedia, screenPhoto } from '../../engine/index.js';
import type { EnqueueResult, GuildSettings } from '../../store/index.js';
import type { Logger } from '../../util/log.js';
import type { BotContext } from '../app/context.js';
import { channelParent } from '../discord/channel-parent.js';
import { cancelRow } from '../discord/components.js';
import { refusePrivately } from '../discord/private-refusal.js';
import { botMessages } from '../messages/bot.js';
import { refusalText } from '../messages/refusals.js';
import { looksLikePhoto, looksLikeVideo } from './attachment-rules.js';
import { AttachmentFailure, fetchAttachments, type FetchedFiles } from './fetch-attachments.js';
import type { AnimateRequest } from './request.js';

/**
 * /animate after the cheap checks (also resumed after the member accepts the terms), in stages:
 *   check (model, attachment types and sizes from Discord's metadata, free disk) → download both at once →
 *   probe (the engine's checks, with the server's duration limit) → share (into the media store, when workers
 *   run on other hosts) → enqueue (limits checked again,
 *   atomically) → answer (queue position and ETA).
 * A few run at once (MARIONETTE_INTAKE_CONCURRENCY). Each refusal is one sentence to the member alone.
 */
type Command = ChatInputCommandInteraction<'cached' | 'raw'>;

/** What the check stage settles before anything is downloaded. */
interface Checked {
  readonly model: string;
  readonly caps: { readonly photo: number; readonly video: number };
}

/**
 * The command's intake is open (admitEarly opened it with the early check): until the job is queued (enqueue ends
 * it) or refused, its row says a command is in flight, also while it waits its turn behind other members'
 * downloads. `first` runs first (the defer, for a new command).
 */
export async function continueAnimate(
  interaction: Command,
  request: AnimateRequest,
  ctx: BotContext,
  first: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  try {
    await first();
    await ctx.intake.run(() => intake(interaction, request, ctx));
  } finally {
    // The member has their answer by now: a database still away past its wait is logged, not shown to them. The
    // row left open expires with the command's token, and never blocks the member's next command past it.
    await ctx.store.closeIntake(interaction.id).catch((e: unknown) => {
      ctx.logger.warn('intake not closed', { interaction: interaction.id, error: (e as Error).message });
    });
  }
}

async function intake(interaction: Command, request: AnimateRequest, ctx: BotContext): Promise<void> {
  const log = ctx.logger.child({ interaction: interaction.id, guild: interaction.guildId, user: interaction.user.id });
  const refuse = async (content: string): Promise<void> => {
    // The command ends before the member reads why: trying again at once must not find this one still in progress.
    await ctx.store.closeIntake(interaction.id);
    await refusePrivately(interaction, content);
  };
  const settings = await ctx.store.guildSettings(interaction.guildId);
  const checked = await check(ctx, request, settings, log);
  if (typeof checked === 'string') return refuse(checked);
  const jobId = ctx.store.newJobId();
  const dir = ctx.store.jobDirectory(jobId);
  let queued = false;
  try {
    await mkdir(dir, { recursive: true });
    const files = await fetchAttachments(ctx.config, dir, request, checked.caps);
    const seconds = await probe(files, settings);
    // Workers on other hosts fetch them from the media store: stored (and checked) before the job can be claimed.
    await ctx.files.shareInputs(jobId, files.photo, files.video);
    const result = await enqueue(ctx, interaction, request, { jobId, model: checked.model, files, seconds, settings });
    if (!result.ok) {
      // The terms were checked before the download: a consent refusal now means the answer changed meanwhile
      // (forget-me, a moderator asking again), and this reply has no buttons to answer it.
      return await refuse(result.refusal.reason === 'consent' ? botMessages.consentChangedRunAgain : refusalText(result.refusal));
    }
    queued = true;
    const position = await answerQueued(ctx, interaction, jobId, log);
    log.info('job queued', { job: jobId, model: checked.model, position, seconds });
    ctx.runner.wake();
  } catch (e) {
    await refuse(refusalFor(e, settings, log));
  } finally {
    if (!queued) {
      await rm(dir, { recursive: true, force: true });
      await ctx.files.discard(jobId).catch((e: unknown) => log.warn('stored inputs of a refused command not removed', { error: (e as Error).message }));
    }
  }
}

/** The model is installed, the attachments are a photo and a video within the caps, the disk has room; else why not. */
async function check(ctx: BotContext, request: AnimateRequest, settings: GuildSettings, log: Logger): Promise<Checked | string> {
  await ctx.models.refresh();
  const model = request.model ?? ctx.models.defaultName(ctx.config.defaultModel);
  if (!model || !ctx.models.get(model)) return botMessages.unknownModel(request.model ?? ctx.config.defaultModel, ctx.models.names());
  const { photo, video } = request;
  if (!looksLikePhoto({ name: photo.name, contentType: photo.contentType, size: photo.size })) return botMessages.photoNotImage(photo.contentType);
  if (!looksLikeVideo({ name: video.name, contentType: video.contentType, size: video.size })) return botMessages.videoNotVideo(video.contentType);
  const caps = {
    photo: Math.min(settings.maxUploadBytes, DEFAULT_LIMITS.maxPhotoBytes),
    video: Math.min(settings.maxUploadBytes, DEFAULT_LIMITS.maxVideoBytes),
  };
  if (photo.size > caps.photo) return refusalText({ reason: 'too-large', bytes: photo.size, maxBytes: caps.photo });
  if (video.size > caps.video) return refusalText({ reason: 'too-large', bytes: video.size, maxBytes: caps.video });
  // Enough disk for both files, the clip and headroom? (A full disk fails everyone's jobs.)
  const free = ctx.config.minFreeDiskMb > 0 ? await freeDiskBytes(ctx.config.dataDir) : null;
  if (free !== null && free < photo.size + video.size * 3 + ctx.config.minFreeDiskMb * 1024 * 1024) {
    log.warn('refused: low disk space', { freeBytes: free, minFreeDiskMb: ctx.config.minFreeDiskMb });
    return botMessages.lowDisk;
  }
  return { model, caps };
}

/**
 * The engine's checks of the downloaded files, with this server's duration limit; the video's length in seconds.
 * From the headers, in-process where they say enough (a phone's MP4/MOV; a JPEG or PNG found whole): a burst of
 * commands then starts no process at all. The engine probes and decodes them fully when the job runs.
 */
async function probe(files: FetchedFiles, settings: GuildSettings): Promise<number> {
  // The header of a 10-hour file stops here.
  const limits = { ...DEFAULT_LIMITS, maxDurationSeconds: settings.maxDrivingSeconds };
  const [photoInfo, videoInfo] = await Promise.all([
    probeMedia(files.photo.path, 'photo', limits),
    probeMedia(files.video.path, 'video', limits, undefined, 'headers'),
  ]);
  checkPhoto(photoInfo, limits);
  const checked = checkVideo(videoInfo, limits);
  await screenPhoto(files.photo.path, photoInfo);
  return videoInfo.durationSeconds ?? (checked.estimatedFrames ?? 0) / checked.fps;
}

interface Ready {
  readonly jobId: string;
  readonly model: string;
  readonly files: FetchedFiles;
  readonly seconds: number;
  readonly settings: GuildSettings;
}

function enqueue(ctx: BotContext, interaction: Command, request: AnimateRequest, r: Ready): Promise<EnqueueResult> {
  const { photo, video } = r.files;
  return ctx.store.enqueue({
    id: r.jobId,
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    parentChannelId: channelParent(interaction.channel),
    interaction: { id: interaction.id, token: interaction.token, createdMs: interaction.createdTimestamp },
    source: { path: photo.path, sha256: photo.sha256, bytes: photo.bytes },
    driving: { path: video.path, sha256: video.sha256, bytes: video.bytes, seconds: r.seconds },
    model: r.model,
    // The server's duration limit travels with the job: the engine enforces it again on the decoded frames.
    options: { mode: request.mode, bestFrame: request.bestFrame, framing: request.framing, maxSeconds: r.settings.maxDrivingSeconds },
    attachmentLimitBytes: interaction.attachmentSizeLimit || null,
    // As the reply was deferred: ephemeral for private results.
    visibility: interaction.ephemeral === true ? 'requester' : 'public',
    requireOpenIntake: true,
  });
}

/** The reply becomes the job's status: its place in the queue and when it should be ready. Returns the place. */
async function answerQueued(ctx: BotContext, interaction: Command, jobId: string, log: Logger): Promise<number | undefined> {
  const status = await ctx.store.queueStatus(jobId);
  const queued = botMessages.queued(status?.position ?? 1, status?.etaDoneMs ?? Date.now());
  if (status?.state === 'queued') ctx.queueUpdates.showing(jobId, status.position);
  const note = ctx.models.onlyDemo() ? `\n${botMessages.demoModelOnly}` : '';
  // The job is committed: a status edit that fails (Discord 5xx, a token gone stale while consent waited)
  // must not tell the member something went wrong; the result is delivered by the later routes anyway.
  await interaction.editReply({ content: `${queued}${note}`, components: [cancelRow(jobId)] }).catch((e: unknown) => {
    log.warn('queued, but the status message could not be shown', { job: jobId, error: (e as Error).message });
  });
  return status?.position;
}

/** The member's sentence for a download or a file the engine refused; anything else is not theirs, and is thrown on. */
function refusalFor(e: unknown, settings: GuildSettings, log: Logger): string {
  if (e instanceof InputError) {
    // Said as the server's rule, like the other server limits.
    const duration = Number(e.context['duration']);
    if (e.code === 'video-too-long' && Number.isFinite(duration))
      return refusalText({ reason: 'too-long', seconds: duration, maxSeconds: settings.maxDrivingSeconds });
    return e.message;
  }
  if (e instanceof AttachmentFailure) {
    // Sizes were checked from Discord's metadata before downloading: a failure here is the CDN's
    // (an expired or moved URL, a body larger than declared, a stalled or redirected download).
    log.warn('attachment download failed', { what: e.what, reason: e.cause.reason, error: e.cause.message });
    return e.cause.reason === 'disk-full' ? botMessages.lowDisk : botMessages.downloadFailed(e.what);
  }
  throw e;
}

async function freeDiskBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
