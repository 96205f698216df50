import { join } from 'node:path';
import { selectedCodexProvider } from './agent-environment.js';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/**
 * The model endpoint URLs codex will call: the selected provider's `base_url` in `<codexHome>/config.toml`, then
 * `OPENAI_BASE_URL`. Empty when neither is set (codex then calls OpenAI, which the default allowlist holds).
 * @example codexModelUrls(resolveCodexHome(env), env) // ['http://127.0.0.1:4010/v1']
 */
export function codexModelUrls(codexHome: string, env: Readonly<Record<string, string | undefined>>, fs: FileProbe = nodeFileProbe): string[] {
  const urls: string[] = [];
  const text = fs.readText(join(codexHome, 'config.toml'));
  const base = text === null ? null : selectedCodexProvider(text)?.baseUrl;
  if (base) urls.push(base);
  const fromEnv = env.OPENAI_BASE_URL?.trim();
  if (fromEnv) urls.push(fromEnv);
  return urls;
}
