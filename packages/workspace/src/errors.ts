/** What went wrong in a workspace operation. Match on `code`, not on the class. */
export type WorkspaceErrorCode =
  | 'invalid_input'
  | 'outside_root'
  | 'not_writable'
  | 'target_exists'
  | 'remote_mismatch'
  | 'clone_failed'
  | 'base_branch_missing'
  | 'branch_conflict'
  | 'not_a_workspace'
  | 'nothing_to_commit'
  | 'commit_failed'
  | 'push_failed'
  | 'git_failed'
  | 'template_error'
  | 'campaign_invalid';

/** An expected workspace failure, with a one-line message that says what failed and what to do. */
export class WorkspaceError extends Error {
  override readonly name = 'WorkspaceError';
  readonly code: WorkspaceErrorCode;
  /** git's exit status when the failure was a failed git command. */
  readonly gitExit: number | undefined;
  /** The stderr of the failing command, already trimmed (never contains secrets we put there). */
  readonly stderr: string;

  constructor(code: WorkspaceErrorCode, message: string, options: { gitExit?: number; stderr?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.gitExit = options.gitExit;
    this.stderr = options.stderr ?? '';
  }
}
