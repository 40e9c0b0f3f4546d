/**
 * `pluto-rt.css`, linked by the scripts partial: the module's own messages in a page (a
 * notice where live results stopped, a queue's ending, a partial's parameter error), plain enough to sit in
 * any design; an app restyles them by their classes. It also hides SCRIPTS_HINT.
 */
export const CLIENT_STYLE = `.pluto-rt-notice,.pluto-rt-error{display:block;margin:.5em 0;padding:.5em .75em;border-left:3px solid;border-radius:2px;font-size:.9em;line-height:1.4}
.pluto-rt-notice{border-color:#b45309;background:#fffbeb;color:#78350f}
.pluto-rt-notice[data-reason=gone]{border-color:#64748b;background:#f8fafc;color:#334155}
.pluto-rt-error{border-color:#b91c1c;background:#fef2f2;color:#7f1d1d;font-family:ui-monospace,monospace}
.pluto-rt-needs-scripts{display:none}
.pluto-rt-ended{display:block;margin:.5em 0;padding:.5em .75em;border-left:3px solid #15803d;background:#f0fdf4;color:#14532d;font-size:.9em}
.pluto-rt-ended[data-reason=failed]{border-color:#b91c1c;background:#fef2f2;color:#7f1d1d}
.pluto-rt-ended[data-reason=cancelled]{border-color:#64748b;background:#f8fafc;color:#334155}
`;
