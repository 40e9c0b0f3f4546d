// Stops the cluster that cluster-global-setup.mjs started, if it started one.
export default async function clusterGlobalTeardown() {
  await globalThis.__PLUTO_RT_CLUSTER__?.stop();
}
