/** The three ways a page shows a queue's items. */
export const RT_MODES = ['append', 'reverse', 'replace'] as const;
export type RtMode = (typeof RT_MODES)[number];
