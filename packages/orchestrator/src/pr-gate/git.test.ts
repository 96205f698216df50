import { describe, expect, it } from 'vitest';
import { ownerFromRemoteUrl } from './git.js';

describe('ownerFromRemoteUrl', () => {
  it('ownerFromRemoteUrl reads the owner of https, scp-like and ssh GitHub URLs', () => {
    expect(ownerFromRemoteUrl('https://github.com/forker/widgets.git')).toBe('forker');
    expect(ownerFromRemoteUrl('https://x-access-token:abc@github.com/forker/widgets')).toBe('forker');
    expect(ownerFromRemoteUrl('git@github.com:Forker/widgets.git')).toBe('Forker');
    expect(ownerFromRemoteUrl('ssh://git@github.com/forker/widgets.git/')).toBe('forker');
    expect(ownerFromRemoteUrl('widgets')).toBeNull();
  });
});
