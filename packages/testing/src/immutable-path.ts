import { execa } from 'execa';

/** A path made immutable with `chattr +i`, and how to undo it. */
export interface ImmutablePath {
  /** False when the filesystem or the process cannot set the flag (the test should then say it was skipped). */
  applied: boolean;
  restore(): Promise<void>;
}

/**
 * Makes `path` immutable (`chattr +i`) so that even root cannot create files in it: the honest way to test
 * "not writable" when tests run as root, where `chmod` blocks nothing. Needs chattr, CAP_LINUX_IMMUTABLE and a
 * filesystem that supports the flag (ext4, xfs, btrfs); otherwise `applied` is false. Always call `restore()`
 * before removing the directory.
 */
export async function makeImmutable(path: string): Promise<ImmutablePath> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const set = await execa('chattr', ['+i', path], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 10_000 });
  if (set.exitCode !== 0) return { applied: false, restore: async () => {} };
  return {
    applied: true,
    restore: async () => {
      await execa('chattr', ['-i', path], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 10_000 });
    },
  };
}
