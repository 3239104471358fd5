/**
 * A shape check of untrusted JSON text before JSON.parse: nesting depth and duplicate keys.
 * JSON.parse keeps the last of two equal keys silently, and a deeply nested value can exhaust the
 * stack of any recursive code that later walks it (error messages included). The scan is one
 * iterative pass, so it cannot overflow the stack itself.
 */

/** Why `text` is refused (a duplicate key or nesting deeper than maxDepth), or null. */
export function scanJson(text: string, maxDepth: number): string | null {
  const keys: (Set<string> | null)[] = []; // one entry per open container: a key set for objects
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      keys.push(c === '{' ? new Set() : null);
      if (keys.length > maxDepth) return `nesting deeper than ${maxDepth} levels at offset ${i}`;
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      keys.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = keys[keys.length - 1] instanceof Set;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return null; // JSON.parse will explain
        }
        const set = keys[keys.length - 1]!;
        if (set.has(key)) {
          const shown = key.length > 64 ? `${key.slice(0, 61)}...` : key;
          return `duplicate key ${JSON.stringify(shown)} at offset ${i}`;
        }
        set.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
  return null;
}
