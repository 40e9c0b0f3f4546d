// node bench/tools/profile-summary.mjs <file.cpuprofile> [top=25]
// Self time by function and by package/file of a V8 CPU profile (from --profile=<system>).
import { readFileSync } from 'node:fs';

const [file, topArg = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (url) => {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1)
    return url
      .slice(nm + 13)
      .split('/')
      .slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1)
      .join('/');
  return url.replace(/^file:\/\/.*?\/(dist|bench|lib)\//, '$1/').replace(/^node:/, 'node:');
};
const byFunction = new Map();
const byPlace = new Map();
for (const [id, micros] of self) {
  const { callFrame } = byId.get(id);
  const fn = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  const place = where(callFrame.url).startsWith('node:')
    ? 'node core'
    : where(callFrame.url).split(':')[0];
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
}
const show = (map, n) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([name, micros]) =>
        `${((micros / total) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    )
    .join('\n');
console.log(
  `total ${(total / 1000).toFixed(0)} ms sampled\n\nby place:\n${show(byPlace, 15)}\n\nby function (self):\n${show(byFunction, top)}`,
);
