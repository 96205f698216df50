import type { FileProbe } from '../file-probe.js';

/** An in-memory {@link FileProbe}: `files` maps paths to `{ exec?, mtime?, text? }`; directories are implied by paths. */
export function fakeFileProbe(files: Record<string, { exec?: boolean; mtime?: number; text?: string }>): FileProbe {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/') || '/');
  }
  return {
    isExecutableFile: (path) => files[path]?.exec === true,
    mtimeMs: (path) => (files[path] ? (files[path]!.mtime ?? 0) : null),
    listDir: (path) => {
      const prefix = path.endsWith('/') ? path : `${path}/`;
      const names = new Set<string>();
      for (const p of [...Object.keys(files), ...dirs]) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
      names.delete('');
      return [...names];
    },
    readText: (path) => files[path]?.text ?? null,
    exists: (path) => path in files || dirs.has(path),
    isDirectory: (path) => dirs.has(path),
  };
}
