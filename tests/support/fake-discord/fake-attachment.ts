import type { APIAttachment } from 'discord.js';
import type { CdnFault } from './cdn-response.js';

export interface AttachmentInit {
  filename: string;
  contentType?: string;
  data: Buffer;
  /** The size the attachment object claims; defaults to the real length (set it to lie). */
  size?: number;
  width?: number;
  height?: number;
  durationSecs?: number;
  /** Defaults to the first guild's first channel. */
  channelId?: string;
  fault?: CdnFault;
}

export class FakeAttachment {
  /** Mutable: set or clear a fault between downloads. */
  fault: CdnFault | undefined;

  constructor(
    readonly id: string,
    readonly channelId: string,
    readonly filename: string,
    readonly contentType: string,
    readonly data: Buffer,
    readonly url: string,
    readonly proxyUrl: string,
    private readonly init: AttachmentInit,
  ) {
    this.fault = init.fault;
  }

  toAPI(): APIAttachment {
    return {
      id: this.id,
      filename: this.filename,
      size: this.init.size ?? this.data.length,
      url: this.url,
      proxy_url: this.proxyUrl,
      content_type: this.contentType,
      ...(this.init.width !== undefined ? { width: this.init.width, height: this.init.height ?? null } : {}),
      ...(this.init.durationSecs !== undefined ? { duration_secs: this.init.durationSecs } : {}),
    };
  }
}
