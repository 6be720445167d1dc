// Under tsx (tests, `npm run gradproof`), worker threads do not inherit the TypeScript loader:
// register it, then run the worker. The compiled CLI uses dist/verify/worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
