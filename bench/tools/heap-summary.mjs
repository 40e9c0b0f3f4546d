// node bench/tools/heap-summary.mjs <before.heapsnapshot> <after.heapsnapshot> <streams> [top=40]
// What the streams opened between two V8 heap snapshots (--heap-snapshot) cost, by
// constructor: bytes and objects per stream.
import { readFileSync } from 'node:fs';

function groups(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const {
    node_fields: fields,
    node_types: [types],
  } = snapshot.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const { nodes, strings } = snapshot;
  const result = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name =
      type === 'object'
        ? strings[nodes[i + nameAt]]
        : type === 'closure'
          ? `closure ${strings[nodes[i + nameAt]]}`
          : `(${type})`;
    const group = result.get(name) ?? { count: 0, size: 0 };
    group.count++;
    group.size += nodes[i + sizeAt];
    result.set(name, group);
  }
  return result;
}

const [beforeFile, afterFile, streamsArg, topArg = '40'] = process.argv.slice(2);
const before = groups(beforeFile);
const after = groups(afterFile);
const streams = Number(streamsArg);
const delta = [...after.entries()].map(([name, { count, size }]) => [
  name,
  (count - (before.get(name)?.count ?? 0)) / streams,
  (size - (before.get(name)?.size ?? 0)) / streams,
]);
const total = delta.reduce((sum, [, , size]) => sum + size, 0);
console.log(
  `heap growth per stream: ${(total / 1024).toFixed(2)} KB\n\n bytes/stream  objects/stream  constructor`,
);
for (const [name, count, size] of delta.sort((a, b) => b[2] - a[2]).slice(0, Number(topArg))) {
  console.log(
    `${size.toFixed(0).padStart(13)}  ${count.toFixed(2).padStart(14)}  ${name.slice(0, 90)}`,
  );
}
