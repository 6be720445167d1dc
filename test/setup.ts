// Property tests run with a fixed seed so CI is deterministic; a failure prints
// the seed and path to replay it. Change the seed locally to explore further.
import fc from 'fast-check';

fc.configureGlobal({ seed: 20261120 });
