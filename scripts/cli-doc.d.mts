/** Types of scripts/cli-doc.mjs for the test that imports it. */
export function cliMarkdown(): string;
