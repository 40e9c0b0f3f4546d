export default async function globalTeardown() {
  await globalThis.__PLUTO_RT_REDIS__?.stop();
}
