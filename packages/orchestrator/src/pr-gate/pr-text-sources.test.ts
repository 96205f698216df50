import { describe, expect, it } from 'vitest';
import { parseNumstat, validationFacts } from './pr-text-sources.js';

describe('parseNumstat (the pushed diff)', () => {
  it('reads -z numstat records: counts, binaries and paths with tabs or newlines', () => {
    expect(parseNumstat('12\t0\tsrc/a.js\x003\t1\tdocs/we\tird\nname.md\x00-\t-\tlogo.png\x00')).toEqual([
      { path: 'src/a.js', added: 12, deleted: 0 },
      { path: 'docs/we\tird\nname.md', added: 3, deleted: 1 },
      { path: 'logo.png', added: null, deleted: null },
    ]);
    expect(parseNumstat('')).toEqual([]);
  });
});

describe('validationFacts (the verdict evidence of the PASS digest)', () => {
  it('pairs each test command with the exit status its evidence names, and keeps failures and waivers', () => {
    const facts = validationFacts({
      attempt: { attempt_no: 3 },
      classification: {
        grade: 'PASS',
        reason_code: 'runtime_success_allowlisted_test_failures',
        evidence: [
          { line: 4, command: 'npm run lint', exit_code: 0, note: 'lint' },
          // A renamed exit field (issue 14 renames exit codes) is still read.
          { line: 8, command: "/bin/bash -c 'npm test'", command_exit: 0, note: 'tests' },
          'not an object',
        ],
      },
      validation: { test_commands: ["/bin/bash -c 'npm test'", 'npm run lint', 'pytest'], failed_test_commands: [], waived_test_failures: ['pytest -k flaky'] },
    });
    expect(facts).toEqual({
      grade: 'PASS',
      reasonCode: 'runtime_success_allowlisted_test_failures',
      attemptNo: 3,
      passed: [
        { command: "/bin/bash -c 'npm test'", exit: 0 },
        { command: 'npm run lint', exit: 0 },
        { command: 'pytest', exit: null },
      ],
      failed: [],
      waived: ['pytest -k flaky'],
    });
  });

  it('an old digest without lists gives empty evidence, not a claim', () => {
    expect(validationFacts({ classification: { grade: 'PASS', reason_code: 'runtime_success' } })).toMatchObject({ passed: [], failed: [], waived: [], attemptNo: null });
  });
});
