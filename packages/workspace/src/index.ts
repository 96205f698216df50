export { WorkspaceError } from './errors.js';
export type { WorkspaceErrorCode } from './errors.js';
export { createGitRunner, GIT_ENV_ALLOWLIST, GIT_NETWORK_ENV_ALLOWLIST, GIT_HARDENING_CONFIG, PUSH_CREDENTIAL_HELPER, PUSH_TOKEN_ENV } from './git-runner.js';
export type { Git, GitIdentity, GitResult, GitRunOptions, GitRunnerOptions } from './git-runner.js';
export {
  snapshotProtected,
  compareProtected,
  protectedDigest,
  describeProtectedChanges,
  parseProtectedSnapshot,
  riskyAttributesDigest,
  DEFAULT_SNAPSHOT_LIMITS,
} from './protected-files.js';
export type { ProtectedSnapshot, ProtectedEntry, ProtectedEntryType, ProtectedKind, ProtectedChange, SnapshotLimits, CompareProtectedOptions } from './protected-files.js';
export { readAgentFile, copyAgentFile, writeOwnFile } from './hostile-file.js';
export type { AgentFileRead, AgentFileFailure, AgentFileErrorCode, OwnFileWritten, ReadAgentFileOptions } from './hostile-file.js';
export { redactSecrets } from './redact.js';
export { IGNORED_PATH_NAMES, isIgnoredPath, normaliseGitPath } from './path-filter.js';
export { isInsideRoot, resolveReal, workspaceDirFor } from './inside-root.js';
export { ownerFromRemoteUrl, sameRemote, githubRepoUrl } from './remote-url.js';
export { diffSummary, worktreeDiff, budgetDiff, isDirty, countTextLines } from './diff-summary.js';
export type { DiffSummary, DiffSummaryOptions } from './diff-summary.js';
export { stageExactly } from './stage-paths.js';
export { workspaceIdentity } from './workspace-identity.js';
export type { WorkspaceIdentity } from './workspace-identity.js';
export { prepareWorkspace, checkBranchName } from './prepare-workspace.js';
export type { PrepareWorkspaceOptions, PreparedWorkspace, ForkRemote } from './prepare-workspace.js';
export { COMMIT_TITLE_RULE, validateCommitTitle } from './commit-title.js';
export type { CommitTitleCheck } from './commit-title.js';
export { renderTemplate } from './render-template.js';
export { finishWorkspace } from './finish-workspace.js';
export type { FinishWorkspaceOptions, FinishedWorkspace } from './finish-workspace.js';
export { loadCampaign, defaultFeatureBranch, DEFAULT_BRANCH_PREFIX, DEFAULT_COMMIT_BODY_TEMPLATE } from './campaign.js';
export type { Campaign } from './campaign.js';
export { findExecutable, isExecutableFile } from './find-executable.js';
export { CheckList, commandCheck, urlCheck, envPresenceCheck, errorText } from './checks.js';
export type { CheckResult, DoctorReport, FetchLike } from './checks.js';
export { runtimeDoctor, resolveCodexFromEnv, githubAuthCheck, DEFAULT_DOCTOR_URLS } from './runtime-doctor.js';
export type { RuntimeDoctorOptions, CodexResolution, CodexResolver, DoctorUrls } from './runtime-doctor.js';
export { detectProject } from './detect-project.js';
export type { ProjectDetection } from './detect-project.js';
export { repoPreflight, writeProbe, DEFAULT_PREFLIGHT_URLS } from './repo-preflight.js';
export type { RepoPreflightOptions, WriteProbe, PreflightUrls } from './repo-preflight.js';
export {
  REQUIRED_SKILLS,
  OPTIONAL_CI_SKILLS,
  CURATED_CI_SKILLS,
  resolveSkillLocations,
  listSkillNames,
  hashSkillDir,
  installSkills,
  skillsStatus,
} from './skills.js';
export type {
  SkillLocations,
  SkillLocationInput,
  SkillInstallResult,
  CuratedInstallItem,
  CuratedInstallResult,
  InstallSkillsReport,
  InstallSkillsOptions,
  SkillsStatusReport,
} from './skills.js';
export { makeDirectory } from './directories.js';
export { captureWorkspaceChanges, workspaceFingerprint, resetWorktree } from './reset-workspace.js';
export type { WorkspaceChanges, CaptureChangesOptions, OmittedFile, OmittedReason, ResetTarget, WorktreeReset } from './reset-workspace.js';
export { detectTestCommand } from './detect-test-command.js';
export type { DetectedTestCommand } from './detect-test-command.js';
export { localRemoteCheck, localRemotePath } from './checks.js';
