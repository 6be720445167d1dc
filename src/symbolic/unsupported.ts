/** The symbolic engine has no closed form or exact expansion for something: an `undecided`, never a verdict. */
export class SymbolicUnsupported extends Error {}
