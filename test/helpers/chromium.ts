// Debian's headless Chromium, shared with the bench (scripts/chromium.mjs).
export { launchChromium } from '../../scripts/chromium.mjs';
