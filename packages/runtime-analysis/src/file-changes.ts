import { LIMITS, detach } from './bounded.js';
import type { NormalizedEvent } from './normalize-event.js';

/** A file-change event of the normalised stream. */
export type FileChangeEvent = Extract<NormalizedEvent, { kind: 'file_change' }>;

/**
 * The paths `file_change` items wrote (at most {@link LIMITS.fileChanges}), pairing a change's start (which
 * names the paths in some formats) with its completion (which may not).
 */
export class FileChanges {
  private readonly inFlight = new Map<string, string[]>();
  private readonly written = new Set<string>();

  /** True when a change with this item id has started and not completed. */
  isInFlight(itemId: string): boolean {
    return this.inFlight.has(itemId);
  }

  /** Records a file-change event; returns the change's paths when the event completed it, else undefined. */
  record(ev: FileChangeEvent): string[] | undefined {
    let paths = ev.paths;
    if (ev.itemId) {
      if (ev.phase !== 'completed') {
        if (paths.length && this.inFlight.size < LIMITS.inFlight) this.inFlight.set(detach(ev.itemId), paths.map(detach));
      } else {
        const started = this.inFlight.get(ev.itemId);
        if (started) this.inFlight.delete(ev.itemId);
        if (paths.length === 0 && started) paths = started;
      }
    }
    for (const p of paths) if (this.written.size < LIMITS.fileChanges && !this.written.has(p)) this.written.add(detach(p));
    return ev.phase === 'completed' ? paths : undefined;
  }

  /** The paths written, in order of first appearance. */
  paths(): string[] {
    return [...this.written];
  }
}
