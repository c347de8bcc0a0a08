// The sh scripts the patterns run on busybox share two needs: quoting, and stopping on SIGTERM.

/** Single-quotes a word for sh, so paths and awk programs reach the command as written. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A script that exits 0 on SIGTERM. sh as a container's PID 1 ignores SIGTERM unless it traps it, so
 * the kubelet would wait the whole grace period and SIGKILL it (exit code 137): a Job with such a
 * native sidecar completes 30 s late. sh runs a trap only between commands, so the script's
 * long-running commands must run in the background and be waited for (`cmd & wait $!`).
 */
export function exitOnTerm(script: string): string {
  return `trap 'exit 0' TERM\n${script}`;
}

/** A long-running command (a `tail | awk` follower, say) run until SIGTERM, which then exits 0. */
export function runUntilTerm(command: string): string {
  return exitOnTerm(`${command} &\nwait $!`);
}
