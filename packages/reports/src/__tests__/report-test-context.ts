import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '@agentpr/store';
import type { ArtifactWriter, ReportPaths } from '../report-context.js';

/** The reports' paths under a temporary data directory, laid out as the apps lay them out. */
export function testReportPaths(dataDir: string): ReportPaths {
  return { reportsDir: join(dataDir, 'reports'), policyFile: join(dataDir, 'manager_policy.json') };
}

/**
 * An in-test {@link ArtifactWriter} with the real one's naming: `<prefix><YYYYMMDDTHHMMSSffffff>Z<suffix>`, `-2`, `-3`,
 * … on a collision, 0600 files under 0700 directories.
 */
export function testArtifactWriter(clock: Clock): ArtifactWriter {
  return {
    writeNew(dir, prefix, suffix, content) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = clock().toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1000Z');
      for (let n = 1; ; n++) {
        const path = join(dir, `${prefix}${stamp}${n === 1 ? '' : `-${n}`}${suffix}`);
        let fd: number;
        try {
          fd = openSync(path, 'wx', 0o600);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
        writeFileSync(fd, content);
        closeSync(fd);
        return path;
      }
    },
  };
}
