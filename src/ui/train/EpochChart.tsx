import type { ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** A point of a series: x in epochs (fractional for per-batch points). */
type Point = { x: number };

export interface Series {
  /** The field of each point it draws. */
  key: string;
  name: string;
  /** Which of the palette's series colours (`--series-N`). */
  colour: 1 | 2 | 3;
  /** Its own points (drawn at another rate than the chart's); otherwise the chart's `data`. */
  data?: readonly Point[];
  /** Line width, 2 unless given. */
  width?: number;
  dots?: boolean;
  dashed?: boolean;
  connectNulls?: boolean;
}

/** What the y axis holds: a share from 0 to 1 (shown as %), or a loss (from its own range). */
type Scale = 'share' | 'loss';

const AXES = {
  share: {
    top: 8,
    domain: [0, 1] as [number, number],
    tick: (v: number) => `${Math.round(v * 100)}%`,
    value: (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : ''),
    epoch: (x: unknown) => `epoch ${String(x)}`,
  },
  loss: {
    top: 16,
    domain: undefined,
    tick: (v: number) => v.toFixed(2),
    value: (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v ?? '')),
    epoch: (x: unknown) => `epoch ${Number(x).toFixed(2)}`,
  },
};

interface Props {
  testId: string;
  caption: string;
  scale: Scale;
  /** The points every series without its own `data` draws. */
  data?: readonly Point[];
  /** The x axis runs from epoch 0 to this; by default to the last of `data` (at least 1). */
  xMax?: number;
  series: Series[];
  /** More `data-*` attributes on the figure, for tests (`data-points`). */
  attrs?: Record<`data-${string}`, string | number>;
  /** Marks over the lines (reference lines). */
  children?: ReactNode;
}

/** A training chart over epochs: the grid, the epoch axis, tooltip and legend, and a line per series. */
export function EpochChart({ testId, caption, scale, data, xMax, series, attrs, children }: Props) {
  const axis = AXES[scale];
  const xEnd = xMax ?? Math.max(1, data?.[data.length - 1]?.x ?? 1);
  return (
    <figure className="chart" data-testid={testId} {...attrs}>
      <figcaption>{caption}</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} margin={{ top: axis.top, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, xEnd]}
            allowDecimals={false}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }}
          />
          <YAxis width={48} domain={axis.domain} tickFormatter={axis.tick} />
          <Tooltip formatter={axis.value} labelFormatter={axis.epoch} />
          <Legend />
          {series.map((s) => (
            <Line
              key={s.key}
              data={s.data}
              dataKey={s.key}
              name={s.name}
              stroke={`var(--series-${s.colour})`}
              strokeWidth={s.width ?? 2}
              strokeDasharray={s.dashed ? '4 3' : undefined}
              dot={s.dots ?? false}
              isAnimationActive={false}
              connectNulls={s.connectNulls}
            />
          ))}
          {children}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
