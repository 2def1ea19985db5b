/**
 * Child processes (concurrency and crash tests) run the real store code. Node 20
 * cannot run TypeScript, so the store's sources are transpiled file by file (the
 * imports already carry .js suffixes) into dist/, inside the repository so that
 * better-sqlite3 resolves from node_modules.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const CHILDREN_DIR = join(ROOT, 'tests', 'store', 'children');

/** Transpiles src/store into a fresh folder; returns the path of its index.js and a cleanup. */
export function buildStoreForChildren(): { index: string; cleanup: () => void } {
  const out = join(ROOT, 'dist', 'store-test-build', `${process.pid}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  const srcDir = join(ROOT, 'src', 'store');
  for (const f of readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: f,
    });
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return { index: join(out, 'index.js'), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
