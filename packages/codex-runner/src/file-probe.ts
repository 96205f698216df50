import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';

/** The few read-only file-system questions the runner asks; injectable so resolution can be tested without a disk. */
export interface FileProbe {
  /** True if `path` is a regular file the current user may execute. */
  isExecutableFile(path: string): boolean;
  /** Modification time in ms, or null if `path` does not exist. */
  mtimeMs(path: string): number | null;
  /** Entry names of a directory, or [] if it cannot be read. */
  listDir(path: string): string[];
  /** The text of a file, or null if it cannot be read. */
  readText(path: string): string | null;
  /** True if `path` exists (any type). */
  exists(path: string): boolean;
  /** True if `path` is a directory. */
  isDirectory(path: string): boolean;
}

/** {@link FileProbe} over the real file system. */
export const nodeFileProbe: FileProbe = {
  isExecutableFile(path) {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  mtimeMs(path) {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return null;
    }
  },
  listDir(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  exists(path) {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};
