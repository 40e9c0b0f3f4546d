import { element } from './html.js';

/**
 * Written inside each element that a partial opens live results with. pluto-rt.css, which
 * `{{> pluto_rt/scripts}}` links, hides it: a page that lacks the scripts partial (and so
 * htmx) shows why nothing moves, instead of nothing, and needs no inline script for it.
 */
export const SCRIPTS_HINT = element(
  'span',
  [['class', 'pluto-rt-needs-scripts']],
  'Live results are not connected: this page lacks {{&gt; pluto_rt/scripts}} in its &lt;head&gt;.',
);
