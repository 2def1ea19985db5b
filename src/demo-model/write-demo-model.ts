/** `npm run build:demo-model`: regenerates models/default from source. */
import { writeDemoModel } from './demo-model.js';

const dir = process.argv[2] ?? 'models/default';
await writeDemoModel(dir);
process.stdout.write(`Wrote the demo model to ${dir}\n`);
