import { closeSync, fchmodSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { fileStamp } from '../file-stamp.js';

export { fileStamp };

/** Options of {@link writeNewFile}. */
export interface WriteNewFileOptions {
  /** Applied to `content` before it is written, e.g. `redactorFor(ctx).redact`. */
  redact?: (text: string) => string;
}

/**
 * Writes `content` to `<dir>/<prefix><stamp><suffix>`, never overwriting: on a collision a `-2`, `-3`, … is
 * added before the suffix. The file is created 0600 whatever the umask (reports, task packets and PR requests
 * are private). Returns the path written.
 */
export function writeNewFile(dir: string, prefix: string, date: Date, suffix: string, content: string, options: WriteNewFileOptions = {}): string {
  const stamp = fileStamp(date);
  const text = options.redact ? options.redact(content) : content;
  for (let n = 1; n < 1000; n++) {
    const path = join(dir, `${prefix}${stamp}${n === 1 ? '' : `-${n}`}${suffix}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      continue;
    }
    try {
      // open's mode is masked by the umask; fchmod makes it exact before any byte is written.
      fchmodSync(fd, 0o600);
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return path;
  }
  throw new Error(`cannot find a free file name for ${prefix}${stamp}${suffix} in ${dir}`);
}
