import { loadDerivationFile, checkDerivation, repairWords } from '../src/index.js';
const [file, id] = process.argv.slice(2);
const d = loadDerivationFile(file!);
const t0 = performance.now();
const r = checkDerivation(d, { claims: [id!], repair: true })[0]!;
console.log(r.verdict, 'ms', (performance.now() - t0).toFixed(0), r.repairs?.status, JSON.stringify(r.repairs?.work), r.repairs?.exhausted);
for (const rep of r.repairs?.repairs ?? []) console.log(rep.verdict, rep.statement, '|', repairWords(rep));
