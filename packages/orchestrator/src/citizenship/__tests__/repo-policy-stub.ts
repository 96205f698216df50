import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import type { AiStance } from '@agentpr/policy';
import type { GitHubStub } from '@agentpr/github-stub';

/** The vendored corpus of real contribution policies (packages/citizenship/corpus/<stance>/). */
export const CORPUS_DIR = resolve(import.meta.dirname, '../../../../citizenship/corpus');

/** One corpus text: its stance folder, the path it had in its repository, and its text. */
export interface CorpusText {
  stance: AiStance;
  file: string;
  sourcePath: string;
  text: string;
}

/** The corpus texts of a stance, in name order. */
export function corpusTexts(stance: AiStance): CorpusText[] {
  return readdirSync(join(CORPUS_DIR, stance))
    .sort()
    .map((file) => {
      const text = readFileSync(join(CORPUS_DIR, stance, file), 'utf8');
      return { stance, file, sourcePath: /^\s*path: (\S+)$/m.exec(text)?.[1] ?? file, text };
    });
}

/** A client against the stub, as the apps build it (no throttling or retries in tests). */
export function stubClient(stub: GitHubStub, token = 'stub-token'): GitHubClient {
  return createOctokitClient({ token, baseUrl: stub.url, throttle: false, retries: 0 });
}

/** The stub's contents requests (`/repos/{o}/{r}/contents/…`) so far. */
export function contentRequests(stub: GitHubStub): number {
  return stub.requests.filter((r) => r.path.includes('/contents')).length;
}
