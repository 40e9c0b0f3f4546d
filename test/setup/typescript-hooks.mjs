// Node module hooks that let the global setup (plain Node, outside Jest's transform) import
// the TypeScript test helpers: `./x.js` finds `./x.ts`, and a .ts file is stripped of its
// types by the project's own TypeScript.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const fromTs = context.parentURL?.endsWith('.ts') && /^\.\.?\/.*\.js$/.test(specifier);
    if (!fromTs) throw err;
    return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: url,
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
