/**
 * A formula split by the mode each character is read in: math mode (the formula itself, and `$…$` inside a text
 * argument) or text mode (the argument of \text, \textbf, \mbox… and \tag). A character has to be spelled by its
 * mode: `<` is `\lt` in math and `\lt` is an error in text (KaTeX: "\lt is only supported in math mode"), and
 * pdflatex sets a text-mode `<` as `¡`.
 */

export interface ModeSpan {
  /** true: read in text mode */
  readonly text: boolean;
  readonly tex: string;
}

/** Commands whose braced argument KaTeX and LaTeX read in text mode. */
const TEXT_ARGUMENT =
  /\\(?:text|textrm|textsf|texttt|textnormal|textbf|textit|textup|textmd|textsl|emph|mbox|hbox|fbox|tag)(?![A-Za-z])\s*\{/y;
const COMMAND = /\\(?:[A-Za-z]+|[^A-Za-z])/y;

/**
 * The formula's consecutive characters grouped by mode. A text argument's `\text{` is the outer mode's, its closing
 * `}` the argument's; a `$` that opens or closes math inside text belongs to the text, so the math spans between
 * two text spans hold no dollar. `dollars` spells those two dollars in the spans (Markdown's display math writes them
 * as `\(` and `\)`, since a `$$` there would end the block).
 */
export function modeSpans(tex: string, dollars: readonly [open: string, close: string] = ['$', '$']): ModeSpan[] {
  const spans: ModeSpan[] = [];
  const push = (s: string, text: boolean) => {
    const last = spans[spans.length - 1];
    if (last && last.text === text) spans[spans.length - 1] = { text, tex: last.tex + s };
    else spans.push({ text, tex: s });
  };
  // what each open group restores when it closes: a brace group the mode it opened in, a `$` inside text the text
  const stack: { readonly restore: boolean; readonly dollar: boolean }[] = [];
  let text = false;
  let i = 0;
  while (i < tex.length) {
    TEXT_ARGUMENT.lastIndex = i;
    const arg = TEXT_ARGUMENT.exec(tex);
    if (arg) {
      push(arg[0], text);
      stack.push({ restore: text, dollar: false });
      text = true;
      i += arg[0].length;
      continue;
    }
    COMMAND.lastIndex = i;
    const cmd = COMMAND.exec(tex);
    if (cmd) {
      push(cmd[0], text);
      i += cmd[0].length;
      continue;
    }
    const ch = tex[i]!;
    i++;
    if (ch === '{') {
      push(ch, text);
      stack.push({ restore: text, dollar: false });
    } else if (ch === '}') {
      push(ch, text);
      // a `$` left open inside the group closes with it
      while (stack.length && stack[stack.length - 1]!.dollar) stack.pop();
      const frame = stack.pop();
      if (frame) text = frame.restore;
    } else if (ch === '$' && text) {
      push(dollars[0], true);
      stack.push({ restore: true, dollar: true });
      text = false;
    } else if (ch === '$' && stack[stack.length - 1]?.dollar) {
      stack.pop();
      text = true;
      push(dollars[1], true);
    } else push(ch, text);
  }
  return spans;
}
