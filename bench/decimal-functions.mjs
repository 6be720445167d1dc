/**
 * The decimal activations side by side: src/numeric/decimal-exp.ts's exp and tanh (BigInt fixed point, correctly
 * rounded) against decimal.js's own exp and tanh on the same arguments, at the decimals' 40 digits and the deep
 * decimals' 64, as µs per call (CPU time, warm: a first pass is not timed) and the ratio. Both return the same
 * correctly rounded values; the bench checks that too. Figures, not a test:
 *
 *   npm run build && node bench/decimal-functions.mjs [calls per figure, default 4000]
 *
 * The arguments are what an instance's forward pass meets: 40-digit pre-activations spread over |x| ≤ 6.
 */
import { Decimal } from 'decimal.js';
import { loadavg } from 'node:os';
import { decimalExp, decimalTanh } from '../dist/numeric/decimal-exp.js';

const calls = Number(process.argv[2] ?? 4000);
const cpuMicros = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** CPU µs per call of f over the arguments (after an untimed pass), and the values it returned. */
function timed(f, args) {
  args.forEach(f);
  const t0 = cpuMicros();
  const values = args.map(f);
  return { micros: (cpuMicros() - t0) / args.length, values };
}

console.log(
  `decimal exp and tanh, ${calls} calls per figure, CPU µs per call (load average ${loadavg()[0].toFixed(1)})`,
);
for (const digits of [40, 64]) {
  const D = Decimal.clone({ precision: digits, minE: -9e15, maxE: 9e15 });
  const step = new D(12).div(calls);
  const args = Array.from({ length: calls }, (_, i) =>
    step
      .times(i)
      .minus(6)
      .plus(new D(1).div(7 + i)),
  );
  for (const [name, ours, theirs] of [
    ['exp', (x) => decimalExp(x, D), (x) => x.exp()],
    ['tanh', (x) => decimalTanh(x, D), (x) => x.tanh()],
  ]) {
    const a = timed(ours, args);
    const b = timed(theirs, args);
    const differ = a.values.filter((v, i) => !v.eq(b.values[i])).length;
    console.log(
      `  ${String(digits).padStart(2)} digits ${name.padEnd(4)}  gradproof ${a.micros.toFixed(1).padStart(6)} µs   decimal.js ${b.micros.toFixed(1).padStart(6)} µs   ${(b.micros / a.micros).toFixed(1)}× faster   ${differ === 0 ? 'same values' : `${differ} values differ`}`,
    );
  }
}
