export { parseShellCommand, shellJoin, shellWords, shellWrapperScript, normalizeDir } from './shell-segments.js';
export type { ShellSegment, ShellRedirect, SegmentOperator } from './shell-segments.js';
export { commandSafetyFindings } from './safety-findings.js';
export type { SafetyFinding, SafetyFindingKind, CommandSafetyFinding } from './safety-findings.js';
export { buildPathScope, resolvePathWord, writeEscape, credentialLabel, isGitInternal } from './path-scope.js';
export type { PathScope, PathScopeOptions, ResolvedPath } from './path-scope.js';
export { commandFacts, commandCategory, testTargetOf, targetCovers, unwrapRunners, COMMAND_CATEGORIES } from './command-facts.js';
export type { CommandFacts, CommandCategory, SafetyRule, TestKind, TestFamily, TestTarget } from './command-facts.js';
export { describeCommand } from './describe-command.js';
export { parseIntLoose } from './parse-int-loose.js';
export { normalizeEvent } from './normalize-event.js';
export { claudeUsage, claudeCostUsd } from './claude-usage.js';
export type { NormalizedEvent, NormalizedLine, StreamFormat } from './normalize-event.js';
export { createStreamAnalyzer, analyzeEventText } from './stream-analyzer.js';
export type {
  StreamAnalyzer,
  StreamProgress,
  StreamAnalyzerOptions,
  StreamFinishInput,
  StreamAnalysis,
  AgentEventSummary,
  CommandEventSample,
  CommandDuration,
  StreamLocation,
  TestRunEvidence,
  TestFailureRecord,
  HiddenFailure,
  RefusedAction,
  AgentReportedStatus,
  GitCommandLine,
  SafetyViolationLine,
  FailureMessage,
} from './stream-analyzer.js';
export { LineSplitter } from './line-splitter.js';
export type { LineSplitterOptions } from './line-splitter.js';
export { readEventStream, analyzeEventStream, DEFAULT_MAX_LINE_CHARS } from './read-event-stream.js';
export { classifyAttempt, budgetExceeded, TEST_EVIDENCE_STATES } from './classify-attempt.js';
export type { ClassifyInput } from './classify-attempt.js';
export { HARD_FAILURE_PATTERNS, RETRYABLE_FAILURE_PATTERNS, firstMatch } from './failure-patterns.js';
export { decideRetention, retentionBucket } from './retention.js';
export type { RetentionDecision } from './retention.js';
export { retryableStreak } from './retryable-streak.js';
export type { VerdictAttempt } from './retryable-streak.js';
export { buildStageSnapshot, stepTotals, percentile, round2 } from './stage-snapshot.js';
export type { StageSnapshot, StepTotal, TimedAttempt } from './stage-snapshot.js';
export { buildRunDigest, managerRecommendation } from './run-digest.js';
export type { RunDigest, RunDigestInput, DigestSkillPlan, WorkspaceIdentity, PolicyUsed, ManagerRecommendation } from './run-digest.js';
export { renderManagerInsight, iterationHints, attemptedOutsideLines, failingTestLines } from './manager-insight.js';
export { evaluateDodGate, checkDigestPayload } from './dod-gate.js';
export type { DodGateInput, DodGateResult, DodCheck, DodPolicy, DigestLoadError } from './dod-gate.js';
export { buildReportSignals } from './report-signals.js';
export type { ReportSignals, ReportSafety } from './report-signals.js';
export { buildRuntimeReport, runtimeReportMetadata } from './runtime-report.js';
export { evidenceExit } from './evidence-exit.js';
export type { RuntimeReport, RuntimeReportInput, RuntimeReportMetadata, AgentRunFacts, StreamRetention } from './runtime-report.js';
export { RuntimeAnalysisError } from './errors.js';
export type { RuntimeAnalysisErrorCode } from './errors.js';
export type { Grade, NextAction, ReasonCode, EvidenceItem, Classification, DiffSummary, PreflightOutcome, AttemptThresholds, ProtectedChange, SandboxDenial } from './types.js';
export { formatDuration } from './format-duration.js';
export { parseFailingTests, normalizeTestName, FAILING_TEST_LIMITS } from './failing-test-names.js';
export type { FailingTestName, ParseFailingTestsOptions } from './failing-test-names.js';
export { repoRelativePath } from './test-file-path.js';
export { attributeTestFailures } from './baseline-tests.js';
export type { BaselineTests, BaselineOutcome, BaselineTestLocation, FailingTest, TestFailureAttribution, UndeterminedFailure, AttributeOptions } from './baseline-tests.js';
