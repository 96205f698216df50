export { resolveCodexBinary, cursorExtensionBinaries, expandHome } from './resolve-codex-binary.js';
export type { ResolveCodexBinaryResult, CodexBinarySource } from './resolve-codex-binary.js';
export { probeCodex, fileProbeCache, memoryProbeCache } from './probe-codex.js';
export type { ProbeCodexResult, ProbeCodexOptions, CodexProbeCache, ProbeCache } from './probe-codex.js';
export { capabilitiesFromVersion, capabilitiesFromHelp, parseCodexVersion, compareVersions, MIN_CODEX_VERSION } from './codex-capabilities.js';
export type { CodexCapabilities, CodexStreamFormat, CapabilitiesResult } from './codex-capabilities.js';
export { buildCodexCommand, CODEX_SANDBOXES } from './build-codex-command.js';
export type { CodexSandboxMode, CodexCommandOptions } from './build-codex-command.js';
export {
  buildAgentEnvironment,
  isSecretLookingName,
  GIT_CREDENTIAL_HELPER,
  readCodexProviderEnvKeys,
  providerEnvKeysFromToml,
  selectedCodexProvider,
  resolveCodexHome,
  AGENT_ENV_ALLOWLIST,
  CODEX_CREDENTIAL_VARS,
  AGENTPR_RUNTIME_VARS,
  GITHUB_TOKEN_VARS,
  CODEX_ENVIRONMENT,
} from './agent-environment.js';
export type { AgentEnvironmentOptions, AgentEnvironment, EngineEnvironment } from './agent-environment.js';
export { runtimePaths, createRuntimeDirectories, RUNTIME_DIR_NAME, LAST_MESSAGE_FILE_NAME } from './runtime-env.js';
export type { RuntimePaths } from './runtime-env.js';
export { prepareAgentEnvironment, removeStaleLastMessage } from './prepare-agent-environment.js';
export type { PrepareAgentEnvironmentOptions, PrepareAgentEnvironmentResult } from './prepare-agent-environment.js';
export { buildSafetyContract, buildPrompt, buildSkillsEnvelope, resolveExternalReadOnlyPaths } from './build-prompt.js';
export type { SafetyContractOptions, SkillsEnvelopeOptions, ExternalReadOnlyPathsOptions } from './build-prompt.js';
export { buildSkillPlan, buildTaskPacket, listInstalledSkills, stageSkills } from './skills-mode.js';
export type { SkillPlan, SkillsMode, TaskPacket, TaskPacketInput } from './skills-mode.js';
export { runAgentProcess, notStartedResult, TIMEOUT_EXIT_CODE, SPAWN_FAILED_EXIT_CODE, INTERRUPTED_EXIT_CODE } from './run-agent-process.js';
export type { AgentProcessSpec, AgentProcessHandlers, AgentProcessResult } from './run-agent-process.js';
export {
  buildIsolatedCommand,
  describeIsolation,
  checkIsolation,
  findBwrap,
  codexInstallRoot,
  toolchainReadOnlyPaths,
  nodeHostView,
  ISOLATION_LEVELS,
  NETWORK_MODES,
  SYSTEM_READ_ONLY_DIRS,
  ETC_READ_ONLY_ENTRIES,
  SANDBOX_HOSTNAME,
  SANDBOX_UID,
} from './isolation.js';
export type { IsolationLevel, IsolationOptions, IsolationSummary, CheckIsolationResult, NetworkMode, EgressBridge, HostView, HostEntry } from './isolation.js';
export { createAttemptCodexHome, DEFAULT_CODEX_HOME_MAX_FILE_BYTES, DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES } from './codex-home.js';
export type { AttemptCodexHome, AttemptCodexHomeOptions, SkippedReason } from './codex-home.js';
export { makeAttemptHome, DEFAULT_ATTEMPT_HOME_MAX_FILE_BYTES, DEFAULT_ATTEMPT_HOME_MAX_TOTAL_BYTES } from './attempt-home.js';
export type { AttemptHome, MakeAttemptHomeOptions } from './attempt-home.js';
export { createAttemptClaudeHome, resolveClaudeConfigDir } from './claude-home.js';
export type { AttemptClaudeHomeOptions } from './claude-home.js';
export { codexEngine, buildAgentLaunch } from './agent-engine.js';
export type { AgentEngine, LaunchableEngine, AgentLaunch, AgentLaunchOptions, EngineBinaryResult, EngineProbeResult, EngineCommandOptions, EngineAttemptHomeOptions, ClaudeRunSettings } from './agent-engine.js';
export { claudeEngine, claudeModelUrls, CLAUDE_FIXED_ENV, ANTHROPIC_DEFAULT_BASE_URL } from './claude-engine.js';
export { claudeCapabilitiesFrom, parseClaudeVersion, MIN_CLAUDE_VERSION } from './claude-capabilities.js';
export type { ClaudeCapabilities, ClaudeCapabilitiesResult } from './claude-capabilities.js';
export { probeClaude } from './probe-claude.js';
export type { ProbeClaudeResult, ProbeClaudeOptions } from './probe-claude.js';
export { buildClaudeCommand, CLAUDE_COMMAND_PERMISSION_MODES } from './build-claude-command.js';
export {
  resolveClaudeBinary,
  currentClaudePlatform,
  claudePlatformPackage,
  nodeClaudeFileProbe,
  CLAUDE_NPM_PACKAGE,
  CLAUDE_PLACEHOLDER_MAX_BYTES,
} from './resolve-claude-binary.js';
export type { ClaudeBinarySource, ResolveClaudeBinaryResult, ClaudeFileProbe, ClaudePlatform } from './resolve-claude-binary.js';
export { AGENT_ENGINES, getAgentEngine } from './agent-engines.js';
export { codexModelUrls } from './codex-model-urls.js';
export { ProcessTreeTracker, listProcesses, descendantsOf, parseProcStat } from './process-tree.js';
export type { ProcessInfo } from './process-tree.js';
export { LineSplitter } from './line-splitter.js';
export { BoundedTail, boundTail, DEFAULT_LOG_TAIL_BYTES } from './bounded-tail.js';
export { nodeFileProbe } from './file-probe.js';
export type { FileProbe } from './file-probe.js';
export { CodexRunnerError } from './errors.js';
export type { CodexRunnerErrorCode } from './errors.js';
export { agentLockHolders, checkWorkspaceFree, assertWorkspaceFree, acquireAgentLock, workspaceBusyMessage, WORKSPACE_BUSY_EXIT_CODE } from './agent-lock.js';
export type { WorkspaceLockCheck, AgentLockRefusal, AcquireAgentLockResult, HeldAgentLock } from './agent-lock.js';
export { startAgentWatchdog, AGENT_WATCHDOG_MARKER } from './agent-watchdog.js';
export type { AgentWatchdog, StartAgentWatchdogOptions } from './agent-watchdog.js';
export type { ProcessTreeTrackerOptions } from './process-tree.js';
