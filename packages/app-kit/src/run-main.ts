import { createSecretRedactor } from '@agentpr/orchestrator/context';
import { stopSignal } from './stop-signal.js';

/** The process's streams and environment, as a binary's `main` takes them. */
export interface ProcessIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted with reason `SIGINT` or `SIGTERM`. */
  signal: AbortSignal;
}

/**
 * A binary's entry: runs `main` with the process's argv and streams and a stop signal (SIGINT/SIGTERM; a second
 * signal exits 130 at once) and sets the exit code it returns. A run that Ctrl-C stopped exits 130 even when `main`
 * returns 0; an error `main` did not handle is one redacted line, `<bin>: unexpected error: …`, and exit 1.
 *
 * @example
 * runMain('agentpr-bot', main); // src/bin.ts
 */
export function runMain(bin: string, main: (argv: string[], io: ProcessIo) => Promise<number>, argv: string[] = process.argv.slice(2)): void {
  const signal = stopSignal();
  main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal }).then(
    (code) => {
      process.exitCode = signal.aborted && code === 0 && signal.reason === 'SIGINT' ? 130 : code;
    },
    (error: unknown) => {
      const { redact } = createSecretRedactor(process.env);
      process.stderr.write(redact(`${bin}: unexpected error: ${(error as Error)?.message ?? String(error)}\n`));
      process.exitCode = 1;
    },
  );
}
