// A stacked bar chart in SVG, drawn here rather than by a charting library: one series per group, one bar per
// time bucket. The figures it draws are also in the table under it, for screen readers and for copying.

export interface Series {
  name: string;
  values: number[];
}

const PALETTE = ['#2457c5', '#d9822b', '#2f9e6e', '#a23fb5', '#c23b3b', '#5b7083', '#b59b1f', '#1f8fb5'];

export function colour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

export function BarChart(props: { labels: string[]; series: Series[]; unit: string; title: string }) {
  const width = 720;
  const height = 240;
  const left = 56;
  const bottom = 28;
  const top = 12;
  const n = props.labels.length;
  const totals = props.labels.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = (width - left) / Math.max(n, 1);
  const barWidth = Math.max(2, step * 0.7);
  const y = (v: number) => top + (height - bottom - top) * (1 - v / max);
  const ticks = [0, 0.5, 1].map((f) => Math.round(max * f));
  const every = Math.max(1, Math.ceil(n / 8));
  const summary = `${props.title}: ${n} buckets, highest ${max.toLocaleString()} ${props.unit}, total `
    + `${totals.reduce((a, b) => a + b, 0).toLocaleString()} ${props.unit}`;

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={width} y1={y(t)} y2={y(t)} class="grid-line" />
            <text x={left - 6} y={y(t) + 4} text-anchor="end" class="axis">{t.toLocaleString()}</text>
          </g>
        ))}
        {props.labels.map((label, i) => {
          let stackTop = height - bottom;
          return (
            <g key={i}>
              {props.series.map((s, k) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                const h = (height - bottom) - y(v);
                stackTop -= h;
                return (
                  <rect key={s.name} x={left + i * step + (step - barWidth) / 2} y={stackTop} width={barWidth}
                    height={Math.max(h, 1)} fill={colour(k)}>
                    <title>{`${label} · ${s.name}: ${v.toLocaleString()} ${props.unit}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={left + i * step + step / 2} y={height - 8} text-anchor="middle" class="axis">{label}</text>
              )}
            </g>
          );
        })}
      </svg>
      {props.series.length > 1 && (
        <figcaption class="legend">
          {props.series.map((s, k) => (
            <span key={s.name}><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill={colour(k)} /></svg> {s.name}</span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
