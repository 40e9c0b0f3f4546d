/**
 * ESM all the way: NestJS 12 is ESM-only. Run under NODE_OPTIONS=--experimental-vm-modules.
 * Two projects: `standalone` runs every suite on one Redis server; `cluster` runs the data
 * path's suites again on a Redis Cluster (3 masters + 3 replicas) that its global setup
 * starts. `--selectProjects cluster` runs one of them.
 */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'cts', 'js', 'mjs', 'json'],
  roots: ['<rootDir>/test'],
  // .cts files (lib/platform/) are CommonJS in both builds: ts-jest compiles them as such.
  transform: {
    '^.+\\.c?ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Only the library's own .cts (lib/platform/): packages import .cjs files of their own.
    '^(\\.{1,2}/(?:.*/)?platform/package-require)\\.cjs$': '$1.cts',
    // The package by name, as a user imports it (test/readme-example/): its sources.
    '^nestjs-pluto-rt$': '<rootDir>/lib/index.ts',
    '^nestjs-pluto-rt/testing$': '<rootDir>/lib/testing/index.ts',
    '^nestjs-pluto-rt/terminus$': '<rootDir>/lib/terminus/index.ts',
  },
};

/** The suites of push, SSE, polling, resume and the shared reader, and the cluster's own. */
const DATA_PATH_SUITES = [
  'producer',
  'sse',
  'poll',
  'stream-api',
  'shared-reader',
  'group-sse',
  'group-poll',
  'endings',
  'routes',
  'told-items',
  'job-cancel',
  'queue-cancel',
  'job-life',
];
/** Suites named cluster-*.e2e.spec.ts are about a cluster alone. */
const CLUSTER_ONLY = '<rootDir>/test/e2e/cluster-[^/]*\\.e2e\\.spec\\.ts$';

/**
 * Suites that need the optional peers @nestjs/terminus and prom-client. With
 * PLUTO_RT_NO_OPTIONAL_PEERS=1 (scripts/test-without-optional-peers.sh, which removes them)
 * they are left out, and the suite that checks their absence runs instead.
 */
const OPTIONAL_PEER_SUITES = [
  'health',
  'cluster-health',
  'metrics',
  'readme-health-metrics',
  'sample-ops',
].map((name) => `<rootDir>/test/e2e/${name}\\.e2e\\.spec\\.ts$`);
const PEERS_ABSENT_SUITE = '<rootDir>/test/e2e/optional-peers-absent\\.e2e\\.spec\\.ts$';
const WITHOUT_PEERS = process.env.PLUTO_RT_NO_OPTIONAL_PEERS === '1';
const PEER_IGNORES = WITHOUT_PEERS ? OPTIONAL_PEER_SUITES : [PEERS_ABSENT_SUITE];

export default {
  testTimeout: 30_000,
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'standalone',
      globals: { PLUTO_RT_TOPOLOGY: 'standalone' },
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', CLUSTER_ONLY, ...PEER_IGNORES],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
    {
      ...base,
      displayName: 'cluster',
      globals: { PLUTO_RT_TOPOLOGY: 'cluster' },
      testMatch: [
        ...DATA_PATH_SUITES.map((name) => `<rootDir>/test/e2e/${name}.e2e.spec.ts`),
        '<rootDir>/test/e2e/cluster-*.e2e.spec.ts',
      ],
      testPathIgnorePatterns: ['/node_modules/', ...PEER_IGNORES],
      globalSetup: '<rootDir>/test/setup/cluster-global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/cluster-global-teardown.mjs',
    },
  ],
};
