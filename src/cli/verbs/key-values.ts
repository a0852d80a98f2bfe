/** `k=v` list flags into a map (`--label a=b`, `--opt type=none`); a bare `k` maps to ''. */
export function keyValueMap(values: string[], separator = '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(separator);
    if (i < 0) out[v] = ''; else out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
