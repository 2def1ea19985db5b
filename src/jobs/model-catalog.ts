import { listModelFolders, type ModelFolder } from '../engine/model/model-folder.js';
import type { Logger } from '../util/log.js';

/**
 * The models installed in the models folder, by manifest name. Re-read at most
 * once a minute, so a model converted while the bot runs shows up without a restart.
 */
export const DEMO_MODEL_NAME = 'default';
const REFRESH_MS = 60_000;

export class ModelCatalog {
  private models = new Map<string, ModelFolder>();
  private loadedAt = 0;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < REFRESH_MS) return;
    const { models, invalid } = await listModelFolders(this.dir);
    for (const bad of invalid) this.logger.warn('model folder skipped', { dir: bad.dir, reason: bad.reason });
    this.models = new Map(models.map((m) => [m.manifest.name, m]));
    this.loadedAt = Date.now();
  }

  names(): string[] {
    return [...this.models.keys()].sort((a, b) => (a === DEMO_MODEL_NAME ? 1 : b === DEMO_MODEL_NAME ? -1 : a.localeCompare(b)));
  }

  get(name: string): ModelFolder | undefined {
    return this.models.get(name);
  }

  /** True when the demo model is all there is (faces need a converted model). */
  onlyDemo(): boolean {
    return this.models.size === 0 || (this.models.size === 1 && this.models.has(DEMO_MODEL_NAME));
  }

  /** The model a member gets without choosing: the configured one if installed, else the first. */
  defaultName(preferred: string): string | undefined {
    if (this.models.has(preferred)) return preferred;
    return this.names()[0];
  }
}
