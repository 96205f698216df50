import { LIMITS, detach, excerpt, sentenceAround } from './bounded.js';
import type { HiddenFailure } from './stream-types.js';

// Past-tense failure reports only: agents often state the safety contract in the present ("I can't write
// outside the repository"), which is no failure.
const DENIAL = /\b(permission denied|operation not permitted|read-only file system|(?:workspace|file ?system|directory|folder|repo(?:sitory)?) (?:is|was) read-only|sandbox\w*\b[^.\n]{0,60}\b(?:denied|blocked|prevented|refused)|(?:denied|blocked|refused) by (?:the )?sandbox|(?:could not|couldn't|was unable to|wasn't able to|failed to|was not allowed to|wasn't allowed to) (?:write|create|modify|edit|save|delete|remove|run|execute|install|access))\b/i;
const CLAIM = /\bexit(?:ed)?(?: with)?(?: code| status)?\s*[:=]?\s*\(?-?\d+\b|\b(?:all )?(?:tests?|checks?|lint|typecheck) (?:pass(?:ed|es)?|fail(?:ed|s)?|succeeded)\b/i;

function failedStatus(status: string): boolean {
  return status === 'failed' || status === 'declined' || status === 'denied';
}

/**
 * Suspected failures the stream does not show as a failed command (codex drops sandbox-denied commands from its event stream): an agent message
 * reporting a denial with no failed action before it, a message citing a command result when nothing ran,
 * file changes that failed and were never redone, and tool calls the agent's harness denied. At most
 * {@link LIMITS.hidden} of each list.
 */
export class HiddenFailures {
  private anyFailedExecution = false;
  private readonly hidden: HiddenFailure[] = [];
  private readonly failedFileChanges = new Map<string, HiddenFailure>();
  private readonly deniedIds = new Set<string>();

  /** Notes a completed command execution (a failed one explains later denial messages). */
  commandCompleted(exitCode: number | null, status: string): void {
    if ((exitCode !== null && exitCode !== 0) || failedStatus(status.toLowerCase())) this.anyFailedExecution = true;
  }

  /**
   * Checks an agent message (`head`: its first {@link LIMITS.messageChars} characters); `executions` is the
   * number of command executions before it.
   */
  agentMessage(head: string, itemId: string | null, line: number, executions: number): void {
    if (!this.anyFailedExecution) {
      const m = DENIAL.exec(head);
      if (m) {
        const note = `agent message reports a denied or failed action ("${sentenceAround(head, m.index)}") but no failed command or file change precedes it; codex drops sandbox-denied commands from the stream`;
        this.add({ kind: 'denial_without_command', line, item_id: itemId, note });
        return;
      }
    }
    if (executions === 0) {
      const m = CLAIM.exec(head);
      if (m) this.add({ kind: 'claim_without_command', line, item_id: itemId, note: `agent message cites a command result ("${sentenceAround(head, m.index)}") but the stream has no command execution at all` });
    }
  }

  /** Notes a completed file change: a failed one stays suspect until a later change to the same path succeeds. */
  fileChangeCompleted(paths: readonly string[], rawStatus: string, itemId: string | null, line: number): void {
    const status = rawStatus.toLowerCase();
    if (failedStatus(status)) {
      this.anyFailedExecution = true;
      for (const p of paths) {
        if (!this.failedFileChanges.has(p) && this.failedFileChanges.size < LIMITS.hidden) {
          this.failedFileChanges.set(detach(p), { kind: 'failed_file_change', line, item_id: itemId === null ? null : detach(itemId), note: detach(`file change to ${p} ${status} and no later change to it succeeded`) });
        }
      }
    } else if (status === 'completed') {
      for (const p of paths) this.failedFileChanges.delete(p);
    }
  }

  /**
   * Notes a tool call the harness denied (Claude's `permission_denied` event or its result's `permission_denials`):
   * once per item id, the first mention wins.
   */
  permissionDenied(tool: string, command: string | null, itemId: string | null, line: number): void {
    if (itemId !== null) {
      if (this.deniedIds.has(itemId)) return;
      if (this.deniedIds.size < LIMITS.refused) this.deniedIds.add(detach(itemId));
    }
    this.add({ kind: 'permission_denied', line, item_id: itemId, note: `${tool || 'a tool'} was denied${command ? `: \`${excerpt(command, 160)}\`` : ''}` });
  }

  private add(h: HiddenFailure): void {
    if (this.hidden.length < LIMITS.hidden) this.hidden.push({ ...h, item_id: h.item_id === null ? null : detach(h.item_id), note: detach(h.note) });
  }

  /** The suspected failures, message-based first, at most {@link LIMITS.hidden}. */
  list(): HiddenFailure[] {
    return [...this.hidden, ...this.failedFileChanges.values()].slice(0, LIMITS.hidden);
  }
}
