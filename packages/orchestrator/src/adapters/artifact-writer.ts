import type { Clock } from '@agentpr/store';
import { makeDirectory } from '@agentpr/workspace/directories';
import { writeNewFile } from './file-stamp.js';
import type { ArtifactWriter } from '../ports.js';

/** The real {@link ArtifactWriter}: private files on the local disk, stamped by `clock`, redacted by `redact`. */
export function fileArtifactWriter(options: { clock: Clock; redact: (text: string) => string }): ArtifactWriter {
  return {
    writeNew(dir, prefix, suffix, content, writeOptions = {}) {
      makeDirectory(dir, { mode: 0o700 });
      return writeNewFile(dir, prefix, options.clock(), suffix, content, writeOptions.raw ? {} : { redact: options.redact });
    },
  };
}
