import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only the parts the two charts use, so the rest of chart.js is left out of the bundle.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

/** The colours of the codes, the same as the resident app's. */
export const COLOUR_HEX = { green: '#1a7f37', yellow: '#d4a106', red: '#c62828' } as const;

export interface Series {
  readonly label: string;
  readonly colour: keyof typeof COLOUR_HEX;
  readonly values: readonly number[];
}

/**
 * A chart.js canvas. The canvas is hidden from screen readers: each chart sits beside a table of
 * the same numbers (`describedBy`).
 */
export function ColourChart(props: {
  readonly type: 'bar' | 'line';
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (canvas.current === null) return;
    const config: ChartConfiguration<'bar' | 'line'> = {
      type: props.type,
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    chart.current = new Chart(canvas.current, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.type]);
  useEffect(() => {
    const c = chart.current;
    if (c === null) return;
    c.data.labels = [...props.labels];
    c.data.datasets = props.series.map((s) => ({
      label: s.label,
      data: [...s.values],
      backgroundColor: COLOUR_HEX[s.colour],
      borderColor: COLOUR_HEX[s.colour],
      ...(props.type === 'line' ? { fill: false, tension: 0.2, pointRadius: 2 } : {}),
    }));
    c.update();
  }, [props.labels, props.series, props.type]);
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
}
