import { describe, expect, it } from 'vitest';
import { cliArguments, commandInvocations, unitInvocations } from './agentpr-invocations.js';
import { parseUnitFile } from './parse-unit-file.js';

describe('commandInvocations', () => {
  it('finds the doctor and the exec-ed service binary inside sh -c', () => {
    const found = commandInvocations('/bin/sh -c "agentpr doctor --x && exec agentpr-webhook --port 8787"', 'f');
    expect(found.map((i) => i.argv)).toEqual([
      ['agentpr', 'doctor', '--x'],
      ['agentpr-webhook', '--port', '8787'],
    ]);
  });

  it('skips programs that are not agentpr', () => {
    expect(commandInvocations('/usr/bin/env true', 'f')).toEqual([]);
    expect(commandInvocations('/bin/sh -c "echo hi; /usr/local/bin/agentpr init-db"', 'f').map((i) => i.argv)).toEqual([['/usr/local/bin/agentpr', 'init-db']]);
  });
});

describe('unitInvocations', () => {
  it('reads Exec lines of [Service] without their prefixes and says where each came from', () => {
    const unit = parseUnitFile('[Service]\nExecStartPre=-/usr/local/bin/agentpr doctor\nExecStart=/usr/local/bin/agentpr-bot --allow-chat-id ${ID}\nUser=x\n');
    expect(unitInvocations(unit, 'a.service')).toEqual([
      { where: 'a.service ExecStartPre (line 2)', argv: ['/usr/local/bin/agentpr', 'doctor'] },
      { where: 'a.service ExecStart (line 3)', argv: ['/usr/local/bin/agentpr-bot', '--allow-chat-id', '${ID}'] },
    ]);
  });
});

describe('cliArguments', () => {
  it('maps a service binary to its agentpr command and drops the program of agentpr itself', () => {
    expect(cliArguments(['/usr/local/bin/agentpr-manager', '--prompt-file', 'p'])).toEqual(['run-manager-loop', '--prompt-file', 'p']);
    expect(cliArguments(['agentpr', 'doctor'])).toEqual(['doctor']);
    expect(cliArguments(['/usr/local/bin/agentpr-dashboard', '--port', '8790'])).toEqual(['dashboard', '--port', '8790']);
  });
});
