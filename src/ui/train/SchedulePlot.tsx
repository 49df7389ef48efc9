import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { schedulePoints } from '../../engine/schedule';
import { stepsPerEpoch, useShallow, useStudio } from '../../state';

const fmt = (v: number) => (v === 0 ? '0' : v >= 1e-4 ? String(Number(v.toPrecision(2))) : v.toExponential(1));

/** The head's learning rate over the whole run, for the chosen schedule. */
export function SchedulePlot() {
  const { lr, schedule, epochs, perEpoch } = useStudio(
    useShallow((s) => ({
      lr: s.settings.learningRate,
      schedule: s.settings.schedule,
      epochs: s.settings.epochs,
      perEpoch: stepsPerEpoch(s),
    })),
  );
  // x in epochs: the run's first step at 0, its last at the end of the last epoch.
  const data = useMemo(() => {
    const last = Math.max(1, epochs * perEpoch - 1);
    return schedulePoints(lr, schedule, epochs, perEpoch).map((p) => ({ x: (p.step / last) * epochs, lr: p.lr }));
  }, [lr, schedule, epochs, perEpoch]);
  return (
    <figure className="chart schedule-plot" data-testid="hp.schedule-plot" data-points={data.length}>
      <figcaption>
        Learning rate over the run <span className="muted">({perEpoch} steps per epoch)</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={130}>
        <LineChart data={data} margin={{ top: 6, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, epochs]}
            allowDecimals={false}
            tickFormatter={(v: number) => String(Math.round(v))}
          />
          <YAxis width={56} domain={[0, 'auto']} tickFormatter={fmt} />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? fmt(v) : String(v))}
            labelFormatter={(x) => `epoch ${Number(x).toFixed(1)}`}
          />
          <Line dataKey="lr" name="learning rate" stroke="var(--series-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
