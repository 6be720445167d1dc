/**
 * Maps each character of a YAML scalar's value back to its offset in the
 * file. YAML folds line breaks into spaces, strips indentation, and decodes
 * escapes (`\u0027`, `''`), so value offsets and file offsets drift apart;
 * error messages must point at the file.
 */
const ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 4, u: 6, U: 10 };

/**
 * Returns `map` with map[i] = file offset of value[i] (and map[value.length]
 * = the offset just past the last character). `raw` is the scalar's source
 * text starting at `start`.
 */
export function alignScalar(raw: string, start: number, value: string, type: string | undefined): number[] {
  const map: number[] = [];
  let j = 0;
  const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
  if (quoted) j = 1;
  else if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') j = raw.indexOf('\n') + 1;
  const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (type === 'QUOTE_DOUBLE' && raw[j] === '\\' && raw[j + 1] !== '\n') {
      map.push(start + j);
      j += ESCAPE_LENGTH[raw[j + 1] ?? ''] ?? 2;
      continue;
    }
    if (type === 'QUOTE_SINGLE' && c === "'" && raw[j] === "'" && raw[j + 1] === "'") {
      map.push(start + j);
      j += 2;
      continue;
    }
    if (isSpace(c)) {
      // A folded line break or a kept one: consume the whole whitespace run in the file.
      map.push(start + Math.min(j, raw.length));
      if (isSpace(raw[j]) || raw[j] === '\\') {
        j++;
        const nextIsSpace = isSpace(value[i + 1]);
        while (!nextIsSpace && j < raw.length && (isSpace(raw[j]) || (raw[j] === '\\' && raw[j + 1] === '\n'))) j++;
      }
      continue;
    }
    while (j < raw.length && raw[j] !== c) j++;
    map.push(start + Math.min(j, raw.length));
    j++;
  }
  map.push(start + Math.min(j, raw.length));
  return map;
}
