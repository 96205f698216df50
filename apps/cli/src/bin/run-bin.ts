import { createSecretRedactor } from '@agentpr/orchestrator/context';
import { main } from '../main.js';

/** Runs the CLI with `argv`, turning SIGINT/SIGTERM into an abort signal (a second signal exits 130). */
export function runBin(argv: string[]): void {
  const controller = new AbortController();
  let interrupted = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      interrupted++;
      if (interrupted > 1) process.exit(130);
      controller.abort(sig);
    });
  }
  main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
    (code) => {
      process.exitCode = controller.signal.aborted && code === 0 && controller.signal.reason === 'SIGINT' ? 130 : code;
    },
    (error: unknown) => {
      const { redact } = createSecretRedactor(process.env);
      process.stderr.write(redact(`agentpr: unexpected error: ${(error as Error)?.message ?? String(error)}\n`));
      process.exitCode = 1;
    },
  );
}
