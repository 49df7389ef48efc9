import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../../state';
import { epochPoints } from '../train/chartData';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '');

function Curve(props: {
  data: ReturnType<typeof epochPoints>;
  train: 'trainLoss' | 'trainAcc';
  val: 'valLoss' | 'valAcc';
  title: string;
  unit?: boolean;
}) {
  return (
    <figure className="chart chart-compact">
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer width="100%" height={150}>
        <LineChart data={props.data} margin={{ top: 6, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={[0, 'dataMax']} allowDecimals={false} fontSize={11} />
          <YAxis
            width={40}
            fontSize={11}
            domain={props.unit ? [0, 1] : ['auto', 'auto']}
            tickFormatter={(v: number) => (props.unit ? `${Math.round(v * 100)}%` : v.toFixed(2))}
          />
          <Tooltip formatter={fmt} labelFormatter={(x) => `epoch ${String(x)}`} />
          <Line dataKey={props.train} name="train" stroke="var(--series-1)" strokeWidth={2} isAnimationActive={false} />
          <Line dataKey={props.val} name="validation" stroke="var(--series-2)" strokeWidth={2} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The run's loss and accuracy per epoch (train and validation), compact, beside the evaluation. */
export function RunCurves() {
  const history = useStudio((s) => s.history);
  if (history.length === 0) return null;
  const data = epochPoints(history);
  return (
    <div className="run-curves" data-testid="eval.curves">
      <Curve data={data} train="trainLoss" val="valLoss" title="Loss per epoch" />
      <Curve data={data} train="trainAcc" val="valAcc" title="Accuracy per epoch" unit />
      <p className="muted small">
        <span className="swatch s1" /> train <span className="swatch s2" /> validation
      </p>
    </div>
  );
}
