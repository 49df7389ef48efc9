/** How the runs view writes values: settings, metrics, times. */
import type { RunMetric, SettingKey, SettingValue } from '../../state';

export function settingText(key: SettingKey, v: SettingValue): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (key === 'learningRate' || key === 'weightDecay') return v === 0 ? '0' : v < 0.01 ? v.toExponential(1) : String(v);
  if (key === 'trainableParams') return v.toLocaleString('en-US');
  if (key === 'imageSize') return `${v} px`;
  return String(v);
}

export function metricText(v: number | null, metric: RunMetric): string {
  if (v === null) return '—';
  return metric === 'loss' ? v.toFixed(3) : `${(v * 100).toFixed(1)}%`;
}

export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function startedText(t: number): string {
  return new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const COLOURS = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#1098ad', '#f59f00', '#c92a2a', '#5c940d'];

/** A run's colour in the charts, by its number. */
export function runColour(n: number): string {
  return COLOURS[(n - 1) % COLOURS.length] ?? '#3b5bdb';
}
