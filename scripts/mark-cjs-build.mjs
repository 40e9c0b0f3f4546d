// dist/ sits under the package's "type": "module": this marks dist/cjs's .js files as
// CommonJS, which tsconfig.cjs.json compiles them to.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
