import type { Browser } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium.js';
import { startSample, type SampleOptions, type SampleProcess } from './sample-process.js';
import { openPage, type WatchedPage } from './watched-page.js';

/** What the hooks set up; read it inside tests (the hooks fill it in). */
export interface SampleInChromium {
  readonly sample: SampleProcess;
  readonly browser: Browser;
  /** A fresh page per test. */
  readonly watched: WatchedPage;
}

/**
 * Registers the hooks of a suite that drives one sample process from Chromium: both start
 * once for the suite (and are removed with the sample's Redis keys after it), and each
 * test gets its own watched page.
 */
export function useSampleInChromium(options: SampleOptions): SampleInChromium {
  let sample: SampleProcess | undefined;
  let browser: Browser | undefined;
  let watched: WatchedPage | undefined;

  beforeAll(async () => {
    [sample, browser] = await Promise.all([startSample(options), launchChromium()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
    await sample?.deleteKeys();
  });

  beforeEach(async () => {
    watched = await openPage(browser!);
  });

  afterEach(async () => {
    await watched?.close();
  });

  return {
    get sample() {
      return sample!;
    },
    get browser() {
      return browser!;
    },
    get watched() {
      return watched!;
    },
  };
}
