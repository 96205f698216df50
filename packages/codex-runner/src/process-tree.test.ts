import { describe, expect, it } from 'vitest';
import { descendantsOf, parseProcStat, ProcessTreeTracker, walkProcessTree, type ProcessInfo } from './process-tree.js';

describe('process tree', () => {
  it('parseProcStat reads pid, ppid, pgid, sid, state and start time, even with ") " in the name', () => {
    const line = '4242 (we ird) name) S 4200 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, pgid: 4242, sid: 4242, state: 'S', startTime: 987654 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('descendantsOf follows parent links from the root', () => {
    const p = (pid: number, ppid: number): ProcessInfo => ({ pid, ppid, pgid: pid, sid: pid, state: 'S', startTime: pid });
    const all = [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(13, 10), p(20, 1)];
    expect(descendantsOf(10, all).map((x) => x.pid).sort()).toEqual([10, 11, 12, 13]);
    expect(descendantsOf(99, all)).toEqual([]);
  });

  it('walkProcessTree finds this process in /proc', () => {
    const tree = walkProcessTree(process.pid);
    if (tree === null) return; // kernel without /proc/<pid>/task/<tid>/children
    expect(tree[0]?.pid).toBe(process.pid);
  });

  it('ProcessTreeTracker reports each newly recorded process once through onNewProcess', () => {
    const seen: ProcessInfo[] = [];
    const tracker = new ProcessTreeTracker(process.pid, '/proc', { onNewProcess: (proc) => seen.push(proc) });
    tracker.sample();
    tracker.sample();
    if (walkProcessTree(process.pid) === null) return; // kernel without /proc/<pid>/task/<tid>/children
    expect(seen.filter((proc) => proc.pid === process.pid)).toHaveLength(1);
    expect(new Set(seen.map((proc) => proc.pid)).size).toBe(seen.length);
  });
});
