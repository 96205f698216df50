import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A compact UTC stamp for file names (SPEC conventions): `YYYYMMDDTHHMMSS` + 6 fractional digits + `Z`. */
export function fileStamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}000Z`;
}

/**
 * Writes `content` to `<dir>/<prefix><stamp><suffix>`, never overwriting: on a collision a `-2`, `-3`, … is
 * added before the suffix. Returns the path written.
 */
export function writeNewFile(dir: string, prefix: string, date: Date, suffix: string, content: string): string {
  const stamp = fileStamp(date);
  for (let n = 1; n < 1000; n++) {
    const path = join(dir, `${prefix}${stamp}${n === 1 ? '' : `-${n}`}${suffix}`);
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`cannot find a free file name for ${prefix}${stamp}${suffix} in ${dir}`);
}
