import { basename, join } from 'node:path';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { commandInvocations, parseUnitFile, unitInvocations, type Invocation } from '../index.js';
import { MULTI_HOST, multiHostSupervisordFiles, multiHostUnitFiles, REPO_ROOT, readDeploy, run, unitFiles, which } from './helpers.js';

/** The supervisord config: one file that runs all three programs. */
export const SUPERVISORD_CONF = 'supervisord/agentpr.conf';

/** A python3 that can import `module`, or undefined. */
export function pythonWith(module: string): string | undefined {
  for (const candidate of [which('python3'), '/usr/bin/python3']) {
    if (candidate && existsSync(candidate) && run(candidate, ['-c', `import ${module}`]).code === 0) return candidate;
  }
  return undefined;
}

/** The supervisord config as Python's configparser reads it (supervisord's own format): section → key → value. */
export function readSupervisordConf(python: string, path = join(REPO_ROOT, 'deploy', SUPERVISORD_CONF)): Record<string, Record<string, string>> {
  const script = [
    'import configparser, json, sys',
    'p = configparser.RawConfigParser(inline_comment_prefixes=(";",), strict=True)',
    'p.optionxform = str',
    'with open(sys.argv[1]) as f: p.read_file(f)',
    'print(json.dumps({s: dict(p.items(s)) for s in p.sections()}))',
  ].join('\n');
  const r = run(python, ['-c', script, path]);
  if (r.code !== 0) throw new Error(`configparser could not read ${path}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Record<string, Record<string, string>>;
}

/**
 * Every agentpr program the systemd units and the supervisord configs start (single-host and multi-host), with where
 * each is written. Template units' `%i` and supervisord's `%(process_num)d` become a port, as systemd and supervisord
 * expand them, so the CLI parser sees the command line that really runs.
 */
export function templateInvocations(python: string | undefined): Invocation[] {
  const out: Invocation[] = [];
  const units = [...unitFiles().map((f) => `systemd/${f}`), ...multiHostUnitFiles().map((f) => `${MULTI_HOST}/systemd/${f}`)];
  for (const file of units) {
    const invocations = unitInvocations(parseUnitFile(readDeploy(file)), file);
    out.push(...invocations.map((i) => ({ ...i, argv: i.argv.map((a) => a.split('%i').join('8787')) })));
  }
  if (python) {
    for (const conf of [SUPERVISORD_CONF, ...multiHostSupervisordFiles()]) {
      for (const [section, values] of Object.entries(readSupervisordConf(python, join(REPO_ROOT, 'deploy', conf)))) {
        if (!section.startsWith('program:') || !values.command) continue;
        const command = values.command.split('%(process_num)d').join('8787');
        out.push(...commandInvocations(command, `${conf} [${section}] command`));
      }
    }
  }
  return out;
}

/** bin name → { package.json that declares it, absolute target } over apps/*\/package.json. */
export function declaredBins(): Map<string, { pkg: string; target: string }> {
  const bins = new Map<string, { pkg: string; target: string }>();
  const apps = join(REPO_ROOT, 'apps');
  for (const app of readdirSync(apps)) {
    const file = join(apps, app, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; bin?: string | Record<string, string> };
    const entries = typeof pkg.bin === 'string' ? { [basename(pkg.name)]: pkg.bin } : (pkg.bin ?? {});
    for (const [name, target] of Object.entries(entries)) bins.set(name, { pkg: `apps/${app}/package.json`, target: join(apps, app, target) });
  }
  return bins;
}
