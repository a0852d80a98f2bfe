// Go's text/tabwriter (the subset docker uses: minwidth, padding, pad with spaces, no flags): cells end
// at '\t'; a column's width is set per block of consecutive lines that have that column.

export interface TabwriterOptions { minWidth: number; padding: number }

/** docker's formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

const runeLength = (s: string): number => [...s].length;

export function tabwrite(text: string, opts: TabwriterOptions = DOCKER_TABLE): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < widths.length && j < cells.length - 1) s += ' '.repeat(Math.max(0, widths[j] - runeLength(cell)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      // A block of lines with a cell in this column starts here.
      writeLines(line0, cur);
      line0 = cur;
      let width = opts.minWidth;
      for (; cur < line1; cur++) {
        if (column >= lines[cur].length - 1) break;
        width = Math.max(width, runeLength(lines[cur][column]) + opts.padding);
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--; // the outer loop's increment resumes at the first line past the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
