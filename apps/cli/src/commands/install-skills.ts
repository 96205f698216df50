import { ENGINE_NAMES } from '@agentpr/policy';
import type { CommandSpec } from '../command.js';
import { choice, flag, list, str } from '../values.js';

/** `agentpr install-skills`: copy the stage skills into the codex (or Claude) skills root. Always exit 0. */
export const command: CommandSpec = {
  name: 'install-skills',
  summary: 'Install the agentpr stage skills into $CODEX_HOME/skills, or Claude\'s with --engine claude (idempotent; never deletes other skills).',
  example: 'agentpr install-skills --codex-home ~/.codex --force   |   agentpr install-skills --engine claude',
  options: {
    engine: { type: 'string', value: 'ENGINE', choices: ENGINE_NAMES, description: 'codex (default) | claude: whose skills root ($CLAUDE_CONFIG_DIR/skills, else ~/.claude/skills)' },
    'codex-home': { type: 'string', value: 'PATH', description: 'codex home (default $CODEX_HOME, else ~/.codex)' },
    'claude-home': { type: 'string', value: 'PATH', description: 'Claude config dir, implies --engine claude (default $CLAUDE_CONFIG_DIR, else ~/.claude)' },
    'skills-root': { type: 'string', value: 'PATH', description: 'where skills are installed (default <codex home>/skills)' },
    'local-skills-root': { type: 'string', value: 'PATH', description: 'where the skills come from (default: the shipped skills/)' },
    name: { type: 'string', multiple: true, value: 'NAME', description: 'install only this skill' },
    force: { type: 'boolean', description: 'replace skills that are already installed' },
    'install-curated-ci': { type: 'boolean', description: 'also install gh-fix-ci and gh-address-comments with the codex skill installer' },
  },
  async run(ctx, values) {
    const { installSkills } = await import('@agentpr/orchestrator');
    const { report } = await installSkills(ctx.base, {
      engine: choice(values, 'engine', ENGINE_NAMES),
      codexHome: str(values, 'codex-home'),
      claudeHome: str(values, 'claude-home'),
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
