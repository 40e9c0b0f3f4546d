// The markdown table: each figure for the module and the baselines, the target of issue 13,
// whether the module meets it (and by how much it misses), and its ratios to N (what a NestJS
// user would write instead) and to D (the Nest @Sse() floor).

export const SYSTEM_LABELS = {
  module: 'nestjs-pluto-rt',
  candidate: 'candidate build',
  inproc: 'nestjs-pluto-rt, pushes in-process',
  A: 'A: Pluto-RT design',
  N: 'N: Nest @Sse() + BullMQ QueueEvents',
  C: 'C: node:http ceiling',
  D: 'D: Nest @Sse() floor',
};
/** Short names for the chart's legend. */
const CHART_LABELS = {
  module: 'module',
  candidate: 'candidate',
  inproc: 'module in-process',
  A: 'A Pluto-RT',
  N: 'N Nest+QueueEvents',
  C: 'C node:http',
  D: 'D Nest floor',
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
/** subject / baseline, rounded for the JSON; undefined without both. */
const ratio = (m, base) =>
  m === undefined || base === undefined || base === 0
    ? undefined
    : Math.round((m / base) * 1000) / 1000;

/** A check of one target: `ok`, and a text that says by how much when it is not. */
function check(ok, text) {
  return { ok, text };
}

/** Ratios of `subject`'s figure(s) to N's and D's: numbers, or `{ p50, p99 }`-like objects. */
function ratiosOf(pick, data, subject) {
  const of = (system) => (data[system] === undefined ? undefined : pick(data[system]));
  const m = of(subject);
  const against = (base) => {
    const b = of(base);
    if (m === undefined || b === undefined) return undefined;
    if (typeof m === 'number') return ratio(m, b);
    return Object.fromEntries(Object.keys(m).map((k) => [k, ratio(m[k], b[k])]));
  };
  return { toN: against('N'), toD: against('D') };
}

function latencyRow(results, subject, streams, rate) {
  const data = {};
  for (const system of ALL_SYSTEMS) {
    const l = results.latency?.[system]?.find(
      (r) => r.streams === streams && r.ratePerStream === rate,
    )?.latencyMs;
    if (l) data[system] = l;
  }
  const m = data[subject];
  if (!m) return undefined;
  const n = data.N;
  const checks = [];
  if (n)
    checks.push(
      check(m.p50 <= n.p50, `p50 ${times(m.p50 / n.p50)} of N vs <= 1x`),
      check(m.p99 <= n.p99, `p99 ${times(m.p99 / n.p99)} of N vs <= 1x`),
    );
  if (rate === 1) checks.push(check(m.p50 <= 0.5, `p50 ${ms(m.p50)} vs <= 0.5 ms`));
  return {
    figure: `push-to-client latency p50 / p99, ${num(streams)} streams (one queue each), ${rate} msg/s per queue, pushes from a worker process`,
    cells: Object.fromEntries(
      Object.entries(data).map(([s, l]) => [s, `${ms(l.p50)} / ${ms(l.p99)}`]),
    ),
    target: rate === 1 ? '<= N at p50 and p99; p50 <= 0.5 ms' : '<= N at p50 and p99',
    checks,
    ...ratiosOf((l) => ({ p50: l.p50, p99: l.p99 }), data, subject),
  };
}

/**
 * Rows of the table, from the results object of a run; the checks and ratios are those of
 * `subject` (the module, or the candidate build).
 */
export function buildRows(results, subject = 'module') {
  const rows = [];
  const idle = results.idle ?? {};
  const idleStreams = results.sizes.idle.streams;
  if (idle[subject]) {
    const m = idle[subject];
    const memoryChecks = [];
    if (idle.N)
      memoryChecks.push(
        check(
          m.rssBytesPerStream <= idle.N.rssBytesPerStream,
          `${times(m.rssBytesPerStream / idle.N.rssBytesPerStream)} of N vs <= 1x`,
        ),
      );
    if (idle.D) {
      const own = m.rssBytesPerStream - idle.D.rssBytesPerStream;
      memoryChecks.push(check(own <= 3 * 1024, `module − D ${kb(own)} vs <= 3 KB`));
    }
    rows.push({
      figure: `memory per idle stream (RSS growth / streams, at ${num(idleStreams)}; V8 heap in brackets)`,
      cells: Object.fromEntries(
        Object.entries(idle).map(([s, r]) => [
          s,
          `${kb(r.rssBytesPerStream)} (${kb(r.heapBytesPerStream)})`,
        ]),
      ),
      target: '<= N, and module − D <= 3 KB',
      checks: memoryChecks,
      ...ratiosOf((r) => r.rssBytesPerStream, idle, subject),
      ownBytesPerStream: idle.D && m.rssBytesPerStream - idle.D.rssBytesPerStream,
    });
    const cpuChecks = [];
    if (idle.N)
      cpuChecks.push(
        check(
          m.cpuPercentOfOneCore <= idle.N.cpuPercentOfOneCore,
          `${times(m.cpuPercentOfOneCore / idle.N.cpuPercentOfOneCore)} of N vs <= 1x`,
        ),
      );
    if (idle.D)
      cpuChecks.push(
        check(
          m.cpuPercentOfOneCore <= 1.2 * idle.D.cpuPercentOfOneCore,
          `${times(m.cpuPercentOfOneCore / idle.D.cpuPercentOfOneCore)} of D vs <= 1.2x`,
        ),
      );
    rows.push({
      figure: `process CPU while ${num(idleStreams)} streams sit idle (keepalives included; % of one core)`,
      cells: Object.fromEntries(
        Object.entries(idle).map(([s, r]) => [s, `${num(r.cpuPercentOfOneCore, 2)} %`]),
      ),
      target: '<= N and <= 1.2x D',
      checks: cpuChecks,
      ...ratiosOf((r) => r.cpuPercentOfOneCore, idle, subject),
    });
  }

  const steps = results.sizes.latency.steps;
  const biggest = steps[steps.length - 1];
  for (const rate of biggest.rates) rows.push(latencyRow(results, subject, biggest.streams, rate));

  const pr = results.pushrate ?? {};
  if (pr[subject]) {
    const m = pr[subject].pushesPerSecond;
    rows.push({
      figure: `push rate from one worker process: ${num(results.sizes.pushrate.count)} pushes into one queue, none awaited before the next (pushes/s; ms for all)`,
      cells: Object.fromEntries(
        Object.entries(pr).map(([s, r]) => [s, `${num(r.pushesPerSecond)} (${num(r.ms)} ms)`]),
      ),
      target: ">= 2x N (BullMQ's updateProgress)",
      checks: pr.N
        ? [check(m >= 2 * pr.N.pushesPerSecond, `${times(m / pr.N.pushesPerSecond)} of N vs >= 2x`)]
        : [],
      ...ratiosOf((r) => r.pushesPerSecond, pr, subject),
    });
  }

  const tp = results.throughput ?? {};
  if (tp[subject]) {
    const m = tp[subject].messagesPerSecond;
    rows.push({
      figure: 'one queue, one consumer: end-to-end msg/s, pushes from a worker process',
      cells: Object.fromEntries(Object.entries(tp).map(([s, r]) => [s, num(r.messagesPerSecond)])),
      target: '>= 1.5x N',
      checks: tp.N
        ? [
            check(
              m >= 1.5 * tp.N.messagesPerSecond,
              `${times(m / tp.N.messagesPerSecond)} of N vs >= 1.5x`,
            ),
          ]
        : [],
      ...ratiosOf((r) => r.messagesPerSecond, tp, subject),
    });
  }

  const fo = results.fanout ?? {};
  if (fo[subject]) {
    const m = fo[subject].messagesPerSecond;
    rows.push({
      figure: `one queue, ${num(results.sizes.fanout.consumers)} consumers: delivered msg/s`,
      cells: Object.fromEntries(Object.entries(fo).map(([s, r]) => [s, num(r.messagesPerSecond)])),
      target: '>= 2x N',
      checks: fo.N
        ? [
            check(
              m >= 2 * fo.N.messagesPerSecond,
              `${times(m / fo.N.messagesPerSecond)} of N vs >= 2x`,
            ),
          ]
        : [],
      ...ratiosOf((r) => r.messagesPerSecond, fo, subject),
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
    if (po.D)
      checks.push(
        check(
          m.requestsPerSecond >= 0.7 * po.D.requestsPerSecond,
          `${times(m.requestsPerSecond / po.D.requestsPerSecond)} of D's empty route vs >= 0.7x`,
        ),
      );
    rows.push({
      figure:
        'empty htmx poll (204): Redis commands per request, sent (executed incl. inside Lua); requests/s (D: an empty Nest route)',
      cells: Object.fromEntries(
        Object.entries(po).map(([s, r]) => [
          s,
          `${num(r.redisCommandsPerRequest, 2)} (${num(r.redisCommandsExecutedPerRequest, 2)}); ${num(r.requestsPerSecond)} req/s`,
        ]),
      ),
      target: "1 command; >= 0.7x D's empty Nest route",
      checks,
      ...ratiosOf((r) => r.requestsPerSecond, po, subject),
    });
  }

  const re = results.replay ?? {};
  if (re[subject]) {
    const m = re[subject].timeToLastByteMs;
    rows.push({
      figure: `Last-Event-ID replay of ${num(results.sizes.replay.messages)} messages: time to last byte (median of ${results.sizes.replay.reps})`,
      cells: Object.fromEntries(
        Object.entries(re).map(([s, r]) => [s, ms(r.timeToLastByteMs.p50)]),
      ),
      target: '<= 10 ms',
      checks: [check(m.p50 <= 10, `${ms(m.p50)} vs <= 10 ms`)],
      ...ratiosOf((r) => r.timeToLastByteMs.p50, re, subject),
    });
  }

  if (idle[subject]) {
    const m = idle[subject];
    rows.push({
      figure: `Redis commands/s while ${num(idleStreams)} streams sit idle (INFO commandstats)`,
      cells: Object.fromEntries(
        Object.entries(idle).map(([s, r]) => [s, num(r.redisCommandsPerSecond, 2)]),
      ),
      target: '0/s',
      checks: [
        check(m.redisCommandsPerSecond === 0, `${num(m.redisCommandsPerSecond, 2)}/s vs 0/s`),
      ],
      toN: undefined,
      toD: undefined,
    });
    rows.push({
      figure: `Redis connections held at ${num(results.sizes.idle.small)} / ${num(idleStreams)} streams (CLIENT LIST)`,
      cells: Object.fromEntries(
        Object.entries(idle).map(([s, r]) => [s, `${r.connectionsSmall} / ${r.connectionsLarge}`]),
      ),
      target: 'flat',
      checks: [
        check(
          m.connectionsSmall === m.connectionsLarge,
          `${m.connectionsSmall} then ${m.connectionsLarge}`,
        ),
      ],
      toN: undefined,
      toD: undefined,
    });
  }

  const storm = results.storm ?? {};
  if (storm[subject]) {
    const m = storm[subject];
    const n = storm.N?.seconds;
    const sec = (x) => (x === undefined ? '–' : `${x.toFixed(2)} s`);
    rows.push({
      figure: `reconnect storm: ${num(m.streams)} streams opened at once, one queue each: time until every one is live (module: queues with history, delivered / queues not started)`,
      cells: Object.fromEntries(
        Object.entries(storm).map(([s, r]) => [
          s,
          r.historySeconds === undefined
            ? sec(r.seconds)
            : `${sec(r.historySeconds)} / ${sec(r.seconds)}`,
        ]),
      ),
      target: "within N's time, both ways",
      checks:
        n === undefined
          ? [check(false, 'N not measured')]
          : [
              check(
                m.historySeconds <= n,
                `with history ${times(m.historySeconds / n)} of N vs <= 1x`,
              ),
              check(m.seconds <= n, `not started ${times(m.seconds / n)} of N vs <= 1x`),
            ],
      toN: n === undefined ? undefined : ratio(m.historySeconds, n),
      toD: storm.D === undefined ? undefined : ratio(m.historySeconds, storm.D.seconds),
    });
    // Where the time goes: the app process's CPU per opened stream (D is Nest's own share)
    // and Redis's.
    const cpu = (r, key) =>
      `${num(r[`${key}CpuMicrosPerStream`], 0)} µs (Redis ${num(r[`${key}RedisCpuMicrosPerStream`], 0)} µs)`;
    rows.push({
      figure: `reconnect storm: CPU per opened stream, app process (Redis in brackets) (module: with history / not started)`,
      cells: Object.fromEntries(
        Object.entries(storm).map(([s, r]) => [
          s,
          r.historySeconds === undefined
            ? cpu(r, 'notStarted')
            : `${cpu(r, 'history')} / ${cpu(r, 'notStarted')}`,
        ]),
      ),
      target: '–',
      checks: [],
      toN: storm.N && ratio(m.historyCpuMicrosPerStream, storm.N.notStartedCpuMicrosPerStream),
      toD: storm.D && ratio(m.historyCpuMicrosPerStream, storm.D.notStartedCpuMicrosPerStream),
    });
  }

  const fl = results.flood ?? {};
  if (fl[subject]) {
    const m = fl[subject];
    const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    rows.push({
      figure: `flood: ${num(m.connections)} clients open the SSE URL of a ${mb(m.historyBytes)} queue and never read: latency of ${m.pushes} pushes to another queue, p50 / max (before the flood in brackets); Redis client output buffers, max`,
      cells: Object.fromEntries(
        Object.entries(fl).map(([s, r]) => [
          s,
          `${ms(r.floodMs.p50)} / ${ms(r.floodMs.p100)} (${ms(r.quietMs.p50)} / ${ms(r.quietMs.p100)}); ${mb(r.maxOutputBytes)}`,
        ]),
      ),
      target: 'every push settles ok within 1 s; output buffers under 64 MB',
      checks: [
        check(m.errors === 0, `${m.errors} pushes failed`),
        check(m.floodMs.p100 < 1_000, `max ${ms(m.floodMs.p100)} vs < 1 s`),
        check(m.maxOutputBytes < 64 * 2 ** 20, `output buffers ${mb(m.maxOutputBytes)} vs < 64 MB`),
      ],
      toN: undefined,
      toD: undefined,
    });
  }

  const br = results.browser ?? {};
  if (br[subject]) {
    const m = br[subject];
    const majors = Object.keys(m);
    const items = m[majors[0]].items;
    // The Long Tasks API reports tasks over 50 ms only: 0 means none was that long.
    const task = (t) => (t === 0 ? 'none over 50 ms' : ms(t));
    const cell = (r) =>
      Object.entries(r)
        .map(
          ([major, x]) =>
            `htmx ${major}: ${x.rows.events} events, longest task ${task(x.rows.longestTaskMs)}; bar ${x.bar.updates} redraws, max ${x.bar.maxUpdatesPerSecond}/s`,
        )
        .join('; ');
    rows.push({
      figure: `browser: ${num(items)} rows pushed without waiting into an open page (Chromium): SSE events, longest main-thread task; then ${num(items)} progress updates in replace mode: bar redraws, most in any second`,
      cells: Object.fromEntries(Object.entries(br).map(([s, r]) => [s, cell(r)])),
      target: '<= 100 events, every row once in order, longest task <= 100 ms; <= 60 redraws/s, last value shown',
      checks: majors.flatMap((major) => {
        const x = m[major];
        return [
          check(x.rows.events <= 100, `htmx ${major}: ${x.rows.events} events vs <= 100`),
          check(x.rows.inOrder, `htmx ${major}: rows in order`),
          check(
            x.rows.longestTaskMs <= 100,
            `htmx ${major}: longest task ${task(x.rows.longestTaskMs)} vs <= 100 ms`,
          ),
          check(
            x.bar.maxUpdatesPerSecond <= 60,
            `htmx ${major}: ${x.bar.maxUpdatesPerSecond} redraws/s vs <= 60`,
          ),
          check(x.bar.lastShown, `htmx ${major}: last value shown`),
        ];
      }),
      toN: undefined,
      toD: undefined,
    });
  }

  const ou = results.outage ?? {};
  if (ou[subject]) {
    const m = ou[subject];
    const [low, high] = [m.commandTimeoutMs * 0.9, m.commandTimeoutMs * 1.1];
    const typed = m.errors.RtRedisUnavailableError ?? 0;
    const expected = 2 * (m.pushes + m.burst);
    const phase = (f) =>
      `${ms(f.sequentialMs.p0)} / ${ms(f.sequentialMs.p50)} / ${ms(f.sequentialMs.p100)}; burst ${ms(f.burstMs.p0)} / ${ms(f.burstMs.p100)}`;
    // The Long Tasks API reports tasks over 50 ms only: 0 means none was that long.
    const task = (t) => (t === 0 ? 'none over 50 ms' : ms(t));
    const cell = (r) => `down: ${phase(r)}; hung: ${r.hung ? phase(r.hung) : '–'}`;
    const bounded = (label, f) => [
      check(
        f.sequentialMs.p0 >= low && f.burstMs.p0 >= low,
        `${label} min ${ms(Math.min(f.sequentialMs.p0, f.burstMs.p0))} vs >= ${ms(low)}`,
      ),
      check(
        f.sequentialMs.p100 <= high && f.burstMs.p100 <= high,
        `${label} max ${ms(Math.max(f.sequentialMs.p100, f.burstMs.p100))} vs <= ${ms(high)}`,
      ),
    ];
    rows.push({
      figure: `push rejection latency, commandTimeoutMs ${num(m.commandTimeoutMs)} ms, while Redis is down (stopped) and hung (SIGSTOP: only slow to a client): min / p50 / max of ${m.pushes} pushes one at a time; min / max of a burst of ${m.burst}`,
      cells: Object.fromEntries(Object.entries(ou).map(([s, r]) => [s, cell(r)])),
      target:
        'every push rejects with RtRedisUnavailableError after commandTimeoutMs (-10 % / +10 %)',
      checks: [
        check(
          typed === expected,
          `${typed} of ${expected} rejected with RtRedisUnavailableError (${JSON.stringify(m.errors)})`,
        ),
        ...bounded('down', m),
        ...(m.hung ? bounded('hung', m.hung) : [check(false, 'hung: not measured')]),
      ],
      toN: undefined,
      toD: undefined,
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
  const none = { toN: undefined, toD: undefined };
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
      ...none,
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
      ...none,
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
      ...none,
    },
  ];
}

const dash = (value) => value ?? '–';

/** A ratio for the table: `1.23x`, or `p50 0.91x, p99 1.10x`. */
function ratioText(value) {
  if (value === undefined) return '–';
  if (typeof value === 'number') return times(value);
  return Object.entries(value)
    .map(([k, v]) => `${k} ${v === undefined ? 'n/a' : times(v)}`)
    .join(', ');
}

export function verdict(row) {
  if (row.checks.length === 0) return 'no target';
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
    checks: row.checks.map((c) => ({ ...c, text: rename(c.text) })),
  }));
  const header = [
    'figure',
    ...systems.map((s) => SYSTEM_LABELS[s]),
    'target',
    'module vs target',
    'module / N',
    'module / D',
  ];
  if (results.candidate) header.push('candidate vs target', 'candidate / N', 'candidate / D');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.figure,
      ...systems.map((s) => dash(row.cells[s])),
      row.target,
      verdict(row),
      ratioText(row.toN),
      ratioText(row.toD),
    ];
    const other = candidateRows.find((r) => r.figure === row.figure);
    if (results.candidate)
      cells.push(other ? verdict(other) : '–', ratioText(other?.toN), ratioText(other?.toD));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** p50 and p99 of each system against the number of open streams, for the chart. */
export function latencySeries(results) {
  const colors = {
    module: '#1b7f3b',
    candidate: '#8e44ad',
    inproc: '#7fbf3f',
    A: '#c0392b',
    N: '#2c6fbb',
    C: '#777',
    D: '#e67e22',
  };
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
        label: `${CHART_LABELS[system]} ${key}`,
        color: colors[system],
        dashed,
        points: points.map((r) => [r.streams, r.latencyMs[key]]),
      });
    }
  }
  return series;
}
