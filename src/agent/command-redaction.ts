/**
 * Command lines often carry secrets: database URLs with passwords, `--token ...`, `PASSWORD=...`.
 * The agent masks them before a command line leaves the machine, since everyone who may read
 * process lists on the hub would otherwise read them too.
 */

const mask = '***';

const secretWords =
  'password|passwd|pwd|secret|token|api-?key|access-?key|credentials?|authorization';

/** A flag whose name holds a secret word, and its value (unless the next word is a flag). */
function secretFlag(): RegExp {
  return new RegExp(`(^|\\s)(--?[a-z0-9-]*(?:${secretWords})[a-z0-9-]*)(=|\\s+)(?!-)\\S+`, 'gi');
}

// Each rule keeps what identifies the argument and masks only the secret part.
const rules: Array<[RegExp, string]> = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi, `$1:${mask}@`],
  // --password=x, --token x, --api-key=x, -password x (names that hold secrets)
  [secretFlag(), `$1$2$3${mask}`],
  // PASSWORD=x, DB_TOKEN=x, AWS_SECRET_ACCESS_KEY=x
  [
    /(^|\s)([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY)[A-Z0-9_]*=)\S+/g,
    `$1$2${mask}`,
  ],
  // Strata's own activation and API tokens, wherever they appear.
  [/\bsat1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, `sat1.${mask}`],
  [/\bstk_[A-Za-z0-9_-]+/g, `stk_${mask}`],
];

/** The command line with secrets masked as `***`. */
export function redactCommandLine(command: string): string {
  let redacted = command;
  for (const [pattern, replacement] of rules) redacted = redacted.replace(pattern, replacement);
  return redacted;
}
