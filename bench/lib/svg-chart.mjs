// A log-log line chart as plain SVG (no chart library): latency versus open streams.

const WIDTH = 760;
const HEIGHT = 440;
const PLOT = { left: 70, right: 200, top: 50, bottom: 60 };

const escapeXml = (text) =>
  String(text).replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c],
  );

function logScale(min, max, from, to) {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  return (value) => from + ((Math.log10(value) - lo) / (hi - lo)) * (to - from);
}

function formatMs(value) {
  if (value >= 1) return `${value} ms`;
  return `${value} ms`.replace(/^0\./, '0.');
}

/**
 * `series`: [{ label, color, dashed, points: [[streams, ms], …] }]. Returns the SVG text.
 */
export function latencyChart({ title, subtitle, series }) {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y > 0);
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...xs)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...xs)));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const x = logScale(xMin, xMax, PLOT.left, WIDTH - PLOT.right);
  const y = logScale(yMin, yMax, HEIGHT - PLOT.bottom, PLOT.top);
  const parts = [];
  const add = (s) => parts.push(s);

  add(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  add(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`);
  add(`<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  if (subtitle) add(`<text x="${PLOT.left}" y="38" fill="#555">${escapeXml(subtitle)}</text>`);

  // Grid and tick labels at each decade (and 2x, 5x for the y axis).
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    for (const factor of [1, 2, 5]) {
      const value = Number((decade * factor).toPrecision(3));
      if (value > yMax) break;
      const py = y(value).toFixed(1);
      add(
        `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${py}" y2="${py}" stroke="${factor === 1 ? '#ccc' : '#eee'}"/>`,
      );
      add(
        `<text x="${PLOT.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#333">${formatMs(value)}</text>`,
      );
    }
  }
  for (let value = xMin; value <= xMax; value *= 10) {
    const px = x(value).toFixed(1);
    add(
      `<line x1="${px}" x2="${px}" y1="${PLOT.top}" y2="${HEIGHT - PLOT.bottom}" stroke="#ccc"/>`,
    );
    add(
      `<text x="${px}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle" fill="#333">${value.toLocaleString('en-US')}</text>`,
    );
  }
  add(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${WIDTH - PLOT.left - PLOT.right}" height="${HEIGHT - PLOT.top - PLOT.bottom}" fill="none" stroke="#888"/>`,
  );
  add(
    `<text x="${(PLOT.left + WIDTH - PLOT.right) / 2}" y="${HEIGHT - 18}" text-anchor="middle">open streams (one queue each; log scale)</text>`,
  );
  add(
    `<text transform="translate(18 ${(PLOT.top + HEIGHT - PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">push-to-client latency (log scale)</text>`,
  );

  series.forEach((s, i) => {
    const points = s.points
      .filter(([, v]) => v > 0)
      .map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    add(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    for (const point of points) {
      const [cx, cy] = point.split(',');
      add(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
    const ly = PLOT.top + 10 + i * 20;
    const lx = WIDTH - PLOT.right + 16;
    add(
      `<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    add(`<text x="${lx + 34}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  add('</svg>');
  return `${parts.join('\n')}\n`;
}
