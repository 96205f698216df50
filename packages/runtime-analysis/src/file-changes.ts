import { LIMITS, detach } from './bounded.js';
import type { NormalizedEvent } from './normalize-event.js';

/** A file-change event of the normalised stream. */
export type FileChangeEvent = Extract<NormalizedEvent, { kind: 'file_change' }>;

/** A file change the stream completed. */
export interface CompletedFileChange {
  paths: string[];
  /** The line that started the change (the completion's own line when it was not seen starting). */
  line: number;
  /** The tool that made it (`Write`, `Edit`), or `file_change` when the format names none. */
  tool: string;
  /** False when the change wrote nothing: it was denied or declined, or a single-file change failed. */
  written: boolean;
}

interface Started {
  paths: string[];
  line: number;
  tool: string;
}

/** True for a completion status that means nothing was written (a failed multi-file change may have written some). */
function wroteNothing(status: string, paths: readonly string[]): boolean {
  const s = status.toLowerCase();
  return s === 'denied' || s === 'declined' || (s === 'failed' && paths.length === 1);
}

/**
 * The paths `file_change` items wrote (at most {@link LIMITS.fileChanges}), pairing a change's start (which
 * names the paths in some formats) with its completion (which may not). A path counts as written when its change
 * completes without failing, or when the stream never completes it (nothing says it was not written).
 */
export class FileChanges {
  private readonly inFlight = new Map<string, Started>();
  private readonly written = new Set<string>();

  /** True when a change with this item id has started and not completed. */
  isInFlight(itemId: string): boolean {
    return this.inFlight.has(itemId);
  }

  /** Records a file-change event at `line`; returns the change when the event completed it, else undefined. */
  record(ev: FileChangeEvent, line: number): CompletedFileChange | undefined {
    let paths = ev.paths;
    let started: Started | undefined;
    if (ev.itemId && ev.phase !== 'completed') {
      const known = this.inFlight.get(ev.itemId);
      if (known) {
        if (paths.length) known.paths = paths.map(detach);
        return undefined;
      }
      if (paths.length && this.inFlight.size < LIMITS.inFlight) {
        this.inFlight.set(detach(ev.itemId), { paths: paths.map(detach), line, tool: detach(ev.tool ?? 'file_change') });
        return undefined;
      }
    } else if (ev.itemId) {
      started = this.inFlight.get(ev.itemId);
      if (started) this.inFlight.delete(ev.itemId);
      if (paths.length === 0 && started) paths = started.paths;
    }
    if (ev.phase !== 'completed') {
      // not paired (no item id, or too many in flight): counted as written now, as nothing will say otherwise
      this.write(paths);
      return undefined;
    }
    const written = !wroteNothing(ev.status, paths);
    if (written) this.write(paths);
    return { paths, line: started?.line ?? line, tool: started?.tool ?? ev.tool ?? 'file_change', written };
  }

  private write(paths: readonly string[]): void {
    for (const p of paths) if (this.written.size < LIMITS.fileChanges && !this.written.has(p)) this.written.add(detach(p));
  }

  /** The paths written, in order of completion (changes never completed last). */
  paths(): string[] {
    for (const started of this.inFlight.values()) this.write(started.paths);
    this.inFlight.clear();
    return [...this.written];
  }
}
