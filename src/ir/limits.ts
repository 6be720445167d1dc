/**
 * Budgets on what a derivation file (or the command line) may ask for. Each
 * one exceeded is a located input error naming the limit, never an exhausted
 * heap, stack or a run that does not end; README lists them under "Limits".
 * They sit far above what the shipped derivations use.
 */
export const LIMITS = {
  /** bytes of one derivation file */
  fileBytes: 4 * 1024 * 1024,
  /** entries of a file's sections: sizes, symbols (hence equations), user functions, definitions, claims (chain steps included) */
  sizes: 32,
  symbols: 256,
  functions: 64,
  definitions: 256,
  claims: 1000,
  /** quantifiers of one claim */
  quantifiers: 8,
  /** the largest value of any size other than T */
  size: 4096,
  /** the largest horizon T */
  horizon: 100_000,
  /** the largest integer constant in an index, bound or shape (|c|), and any coefficient an index reaches */
  integer: 1_000_000,
  /** numbers one instance's unrolled graph holds (parameters, inputs, every step's values): 2^24 ≈ 128 MB */
  graphEntries: 2 ** 24,
  /** entries of any one value a claim computes (a matrix, a vector) */
  valueEntries: 2 ** 24,
  /** sub-expressions evaluated for one binding, counting every iteration of sum/prod/hprod ranges */
  rangeWork: 10_000_000,
  /** quantifier bindings of one claim on one instance */
  bindings: 100_000,
  /**
   * sub-expressions evaluated over all the bindings of one claim side (rangeWork × bindings): eq. (1) for every lag at
   * T = 99999 took 2.2 GB and more than 2 minutes before this budget (a review found it); T = 1024 takes 5·10⁵
   */
  claimWork: 100_000_000,
  /**
   * work one claim's check may do, counted as done (src/numeric/work-meter.ts: float64 multiply-adds, an extended
   * product at its cost in them): its instances, search, cross-checks and extended-precision looks, each repair
   * candidate apart. About 100 s here (≈ 5 ns a unit overall). The costliest shipped claim does 7.4·10⁷, the lab's
   * eq. (1) at d = 64, T = 1024 (issue 15's extended run) 1.9·10⁹ (derivative sweeps counted step by step); its eq. (2) at d = 64, T = 256 (an SVD per lag on
   * ≈ 330 instances) passes the limit after ≈ 100 s, where it used to run for more than 5 minutes
   */
  claimOperations: 20_000_000_000,
  /**
   * work units (src/numeric/work-meter.ts) one call of a declared function may cost, its callees' calls included
   * (src/ir/scalar-function.ts declaredCosts): a body at the node limit passes, its lost-digit watch too; ten
   * functions each calling the one before four times (4¹⁰ tanh a call) hung every command at load before this limit
   */
  functionCall: 200_000,
  /** characters of one expression (a claim side, an equation) */
  expressionChars: 200_000,
  /** nodes of one expression after definitions are expanded */
  expressionNodes: 50_000,
  /** levels of nesting (brackets, calls, operators inside operators; a chain a + b + … counts once) */
  nesting: 64,
  /** depth of an expression once its definitions are expanded (what the recursive walkers see) */
  expandedDepth: 256,
  /** definitions expanded inside definitions */
  definitionDepth: 16,
  /** characters of one name */
  nameChars: 100,
  /** the largest exponent the exact engines expand (larger powers stay opaque atoms there) */
  exactExponent: 64,
  /** products of terms (polynomials, words) the exact engines spend on one claim before leaving it undecided */
  exactWork: 4_000_000,
  /** combinations of sizes the exact engines expand a claim at */
  exactSizeCombinations: 4096,
  /** factors `derive --unroll` writes out */
  unrolledFactors: 10_000,
} as const;
