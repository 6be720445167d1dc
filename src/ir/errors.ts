/** An error located by a character offset inside one expression string (the loader maps it to file:line:col). */
export class ExprError extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
    readonly expected?: string,
  ) {
    super(problem);
    this.name = 'ExprError';
  }
}
