import { statSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from '@agentpr/orchestrator';
import { tempDir } from '@agentpr/testing';
import { openAssistantAuditFile } from '../audit-file.js';
import { auditLines } from './assistant-fixtures.js';

const SECRET = 'sk-audit-file-secret-123456';

describe('openAssistantAuditFile', () => {
  it('writes private JSONL lines stamped with ts, redacted again and cut', async () => {
    const file = join(tempDir('agentpr-audit-'), 'reports', 'assistant_audit.jsonl');
    const audit = openAssistantAuditFile(file, { redactor: createSecretRedactor({ AGENTPR_LLM_API_KEY: SECRET }), clock: () => new Date('2026-12-01T10:00:00.000Z') });
    audit.write({ kind: 'assistant_question', request_id: 'ask_1', chat_key: 'cli:me', user_key: 'cli:me', tier: 'admin', question: `key ${SECRET} ${'x'.repeat(5000)}` });
    await audit.close();
    const [line] = auditLines(file);
    expect(line).toMatchObject({ ts: '2026-12-01T10:00:00.000Z', kind: 'assistant_question', request_id: 'ask_1' });
    const question = line?.kind === 'assistant_question' ? line.question : '';
    expect(question.startsWith('key *** xxx')).toBe(true);
    expect(question.length).toBe(4000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never writes through a symlink planted at its path', async () => {
    const dir = tempDir('agentpr-audit-');
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'untouched');
    const file = join(dir, 'assistant_audit.jsonl');
    symlinkSync(target, file);
    const errors: unknown[] = [];
    const audit = openAssistantAuditFile(file, { onError: (error) => errors.push(error) });
    audit.write({ kind: 'assistant_reply', request_id: 'ask_1', outcome: 'answered', reply: 'hi', input_tokens: 1, output_tokens: 1, tool_calls: 0, cost_usd: 0 });
    await audit.close();
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(errors.length).toBeGreaterThan(0);
  });
});
