// The markdown table: each figure for the module and the baselines, the target, whether
// the module meets it (and by how much it misses), and the ratios against A, B and C.

export const SYSTEM_LABELS = {
  module: 'nestjs-pluto-rt',
  candidate: 'candidate build',
  A: 'A: Pluto-RT design',
  B: 'B: BullMQ progress',
  C: 'C: node:http ceiling',
};
const ALL_SYSTEMS = Object.keys(SYSTEM_LABELS);
/** The systems a run measured (the candidate column only with --candidate). */
const systemsOf = (results) => ALL_SYSTEMS.filter((s) => s !== 'candidate' || results.candidate);

const num = (value, digits = 0) =>
  value === undefined || value === null
    ? undefined
    : Number(value).toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      });

export function ms(value) {
  if (value === undefined || value === null) return undefined;
  if (value < 1) return `${value.toFixed(3)} ms`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(1)} ms`;
}

const kb = (bytes) => (bytes === undefined ? undefined : `${(bytes / 1024).toFixed(1)} KB`);
const times = (ratio) =>
  Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x` : 'n/a';

/** A check of one target: `ok`, and a text that says by how much when it is not. */
function check(ok, text) {
  return { ok, text };
}

function latencyRow(results, subject, streams, rate) {
  const at = (system) =>
    results.latency?.[system]?.find((r) => r.streams === streams && r.ratePerStream === rate)
      ?.latencyMs;
  const [m, a, b, c] = [subject, 'A', 'B', 'C'].map(at);
  if (!m) return undefined;
  const cell = (l) => (l ? `${ms(l.p50)} / ${ms(l.p99)}` : undefined);
  const checks = [
    check(m.p50 <= 0.5, `p50 ${ms(m.p50)} vs <= 0.5 ms`),
    check(m.p99 <= 2, `p99 ${ms(m.p99)} vs <= 2 ms`),
  ];
  if (b)
    checks.push(
      check(m.p50 <= b.p50, `p50 vs B ${times(m.p50 / b.p50)}`),
      check(m.p99 <= b.p99, `p99 vs B ${times(m.p99 / b.p99)}`),
    );
  if (a)
    checks.push(check(a.p50 / m.p50 >= 100, `A/module p50 ${times(a.p50 / m.p50)} vs >= 100x`));
  return {
    figure: `push-to-client latency p50 / p99, ${num(streams)} streams (one queue each), ${rate} msg/s per queue`,
    cells: Object.fromEntries(ALL_SYSTEMS.map((system) => [system, cell(at(system))])),
    target: 'p50 <= 0.5 ms and <= B; p99 <= 2 ms and <= B; p50 >= 100x lower than A',
    checks,
    ratios: [
      a && `A/module p50 ${times(a.p50 / m.p50)}`,
      b && `B/module p50 ${times(b.p50 / m.p50)}, p99 ${times(b.p99 / m.p99)}`,
      c && `module/C p50 ${times(m.p50 / c.p50)}`,
    ]
      .filter(Boolean)
      .join('; '),
  };
}

/**
 * Rows of the table, from the results object of a run; the checks and ratios are those of
 * `subject` (the module, or the candidate build).
 */
export function buildRows(results, subject = 'module') {
  const SYSTEMS = ALL_SYSTEMS;
  const rows = [];
  const steps = results.sizes.latency.steps;
  const biggest = steps[steps.length - 1];
  for (const rate of biggest.rates) rows.push(latencyRow(results, subject, biggest.streams, rate));

  const idle = results.idle ?? {};
  const idleStreams = results.sizes.idle.streams;
  if (idle[subject]) {
    const m = idle[subject];
    rows.push({
      figure: `Redis commands/s while ${num(idleStreams)} streams sit idle (INFO commandstats)`,
      cells: Object.fromEntries(
        SYSTEMS.map((s) => [s, idle[s] && num(idle[s].redisCommandsPerSecond, 2)]),
      ),
      target: '<= 1/s for the whole process',
      checks: [
        check(m.redisCommandsPerSecond <= 1, `${num(m.redisCommandsPerSecond, 2)}/s vs <= 1/s`),
      ],
      ratios: idle.A
        ? `A issues ${num(idle.A.redisCommandsPerSecond, 0)}/s (its design asks ${num(idleStreams * 10)}/s)`
        : '',
    });
    rows.push({
      figure: `Redis connections held at ${num(results.sizes.idle.small)} / ${num(idleStreams)} streams (CLIENT LIST)`,
      cells: Object.fromEntries(
        SYSTEMS.map((s) => [
          s,
          idle[s] && `${idle[s].connectionsSmall} / ${idle[s].connectionsLarge}`,
        ]),
      ),
      target: 'the same small number (<= 4)',
      checks: [
        check(
          m.connectionsSmall === m.connectionsLarge,
          `${m.connectionsSmall} then ${m.connectionsLarge}`,
        ),
        check(m.connectionsLarge <= 4, `${m.connectionsLarge} vs <= 4`),
      ],
      ratios: '',
    });
    const memoryChecks = [
      check(m.rssBytesPerStream <= 10 * 1024, `${kb(m.rssBytesPerStream)} vs <= 10 KB`),
    ];
    if (idle.B)
      memoryChecks.push(
        check(
          m.rssBytesPerStream < idle.B.rssBytesPerStream,
          `vs B ${times(m.rssBytesPerStream / idle.B.rssBytesPerStream)}`,
        ),
      );
    rows.push({
      figure: `memory per idle stream (RSS growth / streams, at ${num(idleStreams)}; V8 heap in brackets)`,
      cells: Object.fromEntries(
        SYSTEMS.map((s) => [
          s,
          idle[s] && `${kb(idle[s].rssBytesPerStream)} (${kb(idle[s].heapBytesPerStream)})`,
        ]),
      ),
      target: '<= 10 KB, and below B',
      checks: memoryChecks,
      ratios: idle.B ? `B/module ${times(idle.B.rssBytesPerStream / m.rssBytesPerStream)}` : '',
    });
    rows.push({
      figure: `process CPU while ${num(idleStreams)} streams sit idle (keepalives included; % of one core)`,
      cells: Object.fromEntries(
        SYSTEMS.map((s) => [s, idle[s] && `${num(idle[s].cpuPercentOfOneCore, 2)} %`]),
      ),
      target: '<= 2 % of one core',
      checks: [check(m.cpuPercentOfOneCore <= 2, `${num(m.cpuPercentOfOneCore, 2)} % vs <= 2 %`)],
      ratios: [
        idle.A && `A/module ${times(idle.A.cpuPercentOfOneCore / m.cpuPercentOfOneCore)}`,
        idle.B && `B/module ${times(idle.B.cpuPercentOfOneCore / m.cpuPercentOfOneCore)}`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }

  const tp = results.throughput ?? {};
  if (tp[subject]) {
    const m = tp[subject].messagesPerSecond;
    const checks = [check(m >= 70_000, `${num(m)} vs >= 70,000 (${times(m / 70_000)})`)];
    if (tp.B)
      checks.push(
        check(
          m >= 2 * tp.B.messagesPerSecond,
          `${times(m / tp.B.messagesPerSecond)} of B vs >= 2x`,
        ),
      );
    if (tp.C)
      checks.push(
        check(
          m >= 0.3 * tp.C.messagesPerSecond,
          `${times(m / tp.C.messagesPerSecond)} of C vs >= 0.3x`,
        ),
      );
    rows.push({
      figure: 'one queue, one consumer: end-to-end msg/s',
      cells: Object.fromEntries(SYSTEMS.map((s) => [s, tp[s] && num(tp[s].messagesPerSecond)])),
      target: '>= 70,000 msg/s, >= 2x B, >= 0.3x C',
      checks,
      ratios: [
        tp.B && `module/B ${times(m / tp.B.messagesPerSecond)}`,
        tp.C && `module/C ${times(m / tp.C.messagesPerSecond)}`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }

  const fo = results.fanout ?? {};
  if (fo[subject]) {
    const m = fo[subject].messagesPerSecond;
    rows.push({
      figure: `one queue, ${num(results.sizes.fanout.consumers)} consumers: delivered msg/s`,
      cells: Object.fromEntries(SYSTEMS.map((s) => [s, fo[s] && num(fo[s].messagesPerSecond)])),
      target: '>= 150,000 msg/s',
      checks: [check(m >= 150_000, `${num(m)} vs >= 150,000 (${times(m / 150_000)})`)],
      ratios: [
        fo.B && `module/B ${times(m / fo.B.messagesPerSecond)}`,
        fo.C && `module/C ${times(m / fo.C.messagesPerSecond)}`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }

  const po = results.poll ?? {};
  if (po[subject]) {
    const m = po[subject];
    const checks = [
      check(
        m.redisCommandsPerRequest <= 1,
        `${num(m.redisCommandsPerRequest, 3)} commands vs <= 1`,
      ),
    ];
    if (po.C)
      checks.push(
        check(
          m.requestsPerSecond >= 0.5 * po.C.requestsPerSecond,
          `${times(m.requestsPerSecond / po.C.requestsPerSecond)} of C vs >= 0.5x`,
        ),
      );
    rows.push({
      figure:
        'empty htmx poll (204): Redis commands per request, sent (executed incl. inside Lua); requests/s',
      cells: Object.fromEntries(
        SYSTEMS.map((s) => [
          s,
          po[s] &&
            `${num(po[s].redisCommandsPerRequest, 2)} (${num(po[s].redisCommandsExecutedPerRequest, 2)}); ${num(po[s].requestsPerSecond)} req/s`,
        ]),
      ),
      target: "<= 1 command; >= 0.5x of C's request rate",
      checks,
      ratios: po.C ? `module/C ${times(m.requestsPerSecond / po.C.requestsPerSecond)}` : '',
    });
  }

  const re = results.replay ?? {};
  if (re[subject]) {
    const m = re[subject].timeToLastByteMs;
    rows.push({
      figure: `Last-Event-ID replay of ${num(results.sizes.replay.messages)} messages: time to last byte (median of ${results.sizes.replay.reps})`,
      cells: Object.fromEntries(SYSTEMS.map((s) => [s, re[s] && ms(re[s].timeToLastByteMs.p50)])),
      target: '<= 10 ms',
      checks: [check(m.p50 <= 10, `${ms(m.p50)} vs <= 10 ms`)],
      ratios: re.C ? `module/C ${times(m.p50 / re.C.timeToLastByteMs.p50)}` : '',
    });
  }
  const ou = results.outage ?? {};
  if (ou[subject]) {
    const m = ou[subject];
    const limit = m.commandTimeoutMs * 1.1;
    const typed = m.errors.RtRedisUnavailableError ?? 0;
    const cell = (r) =>
      r &&
      `${ms(r.sequentialMs.p50)} / ${ms(r.sequentialMs.p100)}; burst of ${r.burst}: ${ms(r.burstMs.p100)}`;
    rows.push({
      figure: `push rejection latency while Redis is down, commandTimeoutMs ${num(m.commandTimeoutMs)} ms: p50 / max of ${m.pushes} pushes one at a time; max of a burst`,
      cells: Object.fromEntries(SYSTEMS.map((s) => [s, cell(ou[s])])),
      target: 'every push rejects with RtRedisUnavailableError within commandTimeoutMs (+10 %)',
      checks: [
        check(
          typed === m.pushes + m.burst,
          `${typed} of ${m.pushes + m.burst} rejected with RtRedisUnavailableError (${JSON.stringify(m.errors)})`,
        ),
        check(m.sequentialMs.p100 <= limit, `max ${ms(m.sequentialMs.p100)} vs <= ${ms(limit)}`),
        check(m.burstMs.p100 <= limit, `burst max ${ms(m.burstMs.p100)} vs <= ${ms(limit)}`),
      ],
      ratios: `max/commandTimeoutMs ${times(Math.max(m.sequentialMs.p100, m.burstMs.p100) / m.commandTimeoutMs)}`,
    });
  }
  rows.push(...groupRows(results, subject));
  return rows.filter(Boolean);
}

/** The group rows: a page's 8 queues over one connection against 8 single ones (module only). */
function groupRows(results, subject) {
  const g = results.group?.[subject];
  if (!g) return [];
  const { group, single } = g;
  const pages = `${num(g.pages)} pages x ${g.perPage} queues`;
  const both = (f) => ({ [subject]: `group ${f(group)}; singles ${f(single)}` });
  const latencyOk = (l) => l && l.p50 <= 0.5 && l.p99 <= 2;
  return [
    {
      figure: `${pages}: memory per page, one group connection vs ${g.perPage} single-queue connections (RSS growth / pages; V8 heap in brackets)`,
      cells: both((v) => `${kb(v.rssBytesPerPage)} (${kb(v.heapBytesPerPage)})`),
      target: 'the group below the singles',
      checks: [
        check(
          group.rssBytesPerPage < single.rssBytesPerPage,
          `group ${times(group.rssBytesPerPage / single.rssBytesPerPage)} of the singles`,
        ),
      ],
      ratios: `singles/group ${times(single.rssBytesPerPage / group.rssBytesPerPage)}`,
    },
    {
      figure: `${pages}: process CPU while idle (keepalives included; % of one core), connections held`,
      cells: both((v) => `${num(v.cpuPercentOfOneCore, 2)} %, ${num(v.connections)} conns`),
      target: 'the group at or below the singles',
      checks: [
        check(
          group.cpuPercentOfOneCore <= single.cpuPercentOfOneCore,
          `group ${num(group.cpuPercentOfOneCore, 2)} % vs singles ${num(single.cpuPercentOfOneCore, 2)} %`,
        ),
      ],
      ratios: `singles/group ${times(single.cpuPercentOfOneCore / group.cpuPercentOfOneCore)}`,
    },
    {
      figure: `${pages}: push-to-client latency p50 / p99, ${group.ratePerQueue} msg/s per queue`,
      cells: both((v) => (v.latencyMs ? `${ms(v.latencyMs.p50)} / ${ms(v.latencyMs.p99)}` : '–')),
      target: 'p50 <= 0.5 ms, p99 <= 2 ms (as for single streams)',
      checks: [
        check(
          latencyOk(group.latencyMs),
          `group p50 ${ms(group.latencyMs?.p50)}, p99 ${ms(group.latencyMs?.p99)}`,
        ),
      ],
      ratios:
        group.latencyMs && single.latencyMs
          ? `singles/group p50 ${times(single.latencyMs.p50 / group.latencyMs.p50)}, p99 ${times(single.latencyMs.p99 / group.latencyMs.p99)}`
          : '',
    },
  ];
}

const dash = (value) => value ?? '–';

export function verdict(row) {
  const missed = row.checks.filter((c) => !c.ok);
  return missed.length === 0 ? 'met' : `**missed**: ${missed.map((c) => c.text).join('; ')}`;
}

/** The table; with a candidate build, its verdict and ratios follow the module's. */
export function markdownTable(results) {
  const systems = systemsOf(results);
  const rows = buildRows(results, 'module');
  const rename = (text) => text.replaceAll('module', 'candidate');
  const candidateRows = (results.candidate ? buildRows(results, 'candidate') : []).map((row) => ({
    ...row,
    ratios: rename(row.ratios),
    checks: row.checks.map((c) => ({ ...c, text: rename(c.text) })),
  }));
  const header = [
    'figure',
    ...systems.map((s) => SYSTEM_LABELS[s]),
    'target',
    'module vs target',
    'ratios (module)',
  ];
  if (results.candidate) header.push('candidate vs target', 'ratios (candidate)');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  rows.forEach((row, i) => {
    const cells = [
      row.figure,
      ...systems.map((s) => dash(row.cells[s])),
      row.target,
      verdict(row),
      dash(row.ratios || undefined),
    ];
    const other = candidateRows.find((r) => r.figure === row.figure);
    if (results.candidate)
      cells.push(other ? verdict(other) : '–', dash(other?.ratios || undefined));
    lines.push(`| ${cells.join(' | ')} |`);
  });
  return lines.join('\n');
}

/** p50 and p99 of each system against the number of open streams, for the chart. */
export function latencySeries(results) {
  const colors = { module: '#1b7f3b', candidate: '#8e44ad', A: '#c0392b', B: '#2c6fbb', C: '#777' };
  const series = [];
  for (const system of systemsOf(results)) {
    const runs = results.latency?.[system];
    if (!runs) continue;
    const steps = results.sizes.latency.steps;
    const rate = steps[0].rates[0];
    const points = runs.filter((r) => r.ratePerStream === rate && r.latencyMs);
    if (points.length === 0) continue;
    for (const [key, dashed] of [
      ['p50', false],
      ['p99', true],
    ]) {
      series.push({
        label: `${SYSTEM_LABELS[system]} ${key}`,
        color: colors[system],
        dashed,
        points: points.map((r) => [r.streams, r.latencyMs[key]]),
      });
    }
  }
  return series;
}
