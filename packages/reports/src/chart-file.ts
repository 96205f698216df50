import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ReportError } from './errors.js';

/** Why a path cannot take the chart, or null when it can (its directory exists and is writable; it is not a directory). */
function chartPathProblem(file: string): string | null {
  const dir = dirname(file);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `the directory ${dir} does not exist` : `the directory ${dir} is not writable (${code ?? 'error'})`;
  }
  try {
    if (lstatSync(file).isDirectory()) return `${file} is a directory`;
  } catch {
    // a new file
  }
  return null;
}

/**
 * Checks a `--chart` path before any work is done: an `.svg` file in a writable directory. Returns the absolute
 * path; a one-line `ReportError` otherwise, with nothing written.
 */
export function checkChartPath(path: string): string {
  const file = resolve(path.trim());
  if (!path.trim() || !/\.svg$/i.test(file)) throw new ReportError('usage', `--chart must name an .svg file, got ${JSON.stringify(path)}`);
  const problem = chartPathProblem(file);
  if (problem) throw new ReportError('io', `cannot write the chart to ${file}: ${problem}`);
  return file;
}

/**
 * Writes the chart: to a new temporary file next to it, then renamed over the path (so a reader never sees half a
 * chart, and a symbolic link at the path is replaced, never followed). A failure leaves nothing behind and throws a
 * one-line `ReportError`.
 */
export function writeChartFile(path: string, svg: string): string {
  const file = checkChartPath(path);
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, svg, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new ReportError('io', `cannot write the chart to ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return file;
}
