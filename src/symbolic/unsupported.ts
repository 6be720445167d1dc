/** The symbolic engine has no closed form or exact expansion for something: an `undecided`, never a verdict. */
export class SymbolicUnsupported extends Error {}

/** An exact expansion would exceed its size limit: a randomized identity test can still decide. */
export class ExpansionTooLarge extends SymbolicUnsupported {}
