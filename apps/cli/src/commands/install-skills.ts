import type { CommandSpec } from '../command.js';
import { flag, list, str } from '../values.js';

/** `agentpr install-skills`: copy the stage skills into the codex skills root. Always exit 0. */
export const command: CommandSpec = {
  name: 'install-skills',
  summary: 'Install the agentpr stage skills into $CODEX_HOME/skills (idempotent; never deletes other skills).',
  example: 'agentpr install-skills --codex-home ~/.codex --force',
  options: {
    'codex-home': { type: 'string', value: 'PATH', description: 'codex home (default $CODEX_HOME, else ~/.codex)' },
    'skills-root': { type: 'string', value: 'PATH', description: 'where skills are installed (default <codex home>/skills)' },
    'local-skills-root': { type: 'string', value: 'PATH', description: 'where the skills come from (default: the shipped skills/)' },
    name: { type: 'string', multiple: true, value: 'NAME', description: 'install only this skill' },
    force: { type: 'boolean', description: 'replace skills that are already installed' },
    'install-curated-ci': { type: 'boolean', description: 'also install gh-fix-ci and gh-address-comments with the codex skill installer' },
  },
  async run(ctx, values) {
    const { installSkills } = await import('@agentpr/orchestrator');
    const { report } = await installSkills(ctx.base, {
      codexHome: str(values, 'codex-home'),
      skillsRoot: str(values, 'skills-root'),
      localSkillsRoot: str(values, 'local-skills-root'),
      names: list(values, 'name'),
      force: flag(values, 'force'),
      installCuratedCi: flag(values, 'install-curated-ci'),
    });
    const lines = report.results.map((r) => `${r.status.padEnd(15)} ${r.name}${r.outdated ? ' (differs from the shipped copy; use --force to update)' : ''}`);
    if (report.missing_required_after_install.length > 0) lines.push(`still missing: ${report.missing_required_after_install.join(', ')}`);
    lines.push(report.note);
    return { output: report, text: lines.join('\n') };
  },
};
