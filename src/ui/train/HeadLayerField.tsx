import { blockEnds } from '../../engine/head-layer';
import type { LayerInfo } from '../../engine/types';
import { useShallow, useStudio } from '../../state';
import { SelectField } from '../common/SelectField';

/** The layer the new head reads: Auto (chosen from the training images when a run starts), the model's output, or an earlier block's end. */
const NO_LAYERS: readonly LayerInfo[] = [];

export function HeadLayerField() {
  const { value, layers, output } = useStudio(
    useShallow((s) => {
      const all = s.summary?.format === 'graph' ? NO_LAYERS : (s.summary?.layers ?? NO_LAYERS);
      return { value: s.settings.headLayer, layers: all, output: all[all.length - 1]?.name ?? null };
    }),
  );
  const ends = blockEnds(layers);
  const options = [
    { value: 'auto', label: 'Auto (chosen from your data)' },
    { value: 'output', label: `Model output${output ? ` (${output})` : ''}` },
    ...ends
      .slice()
      .reverse()
      .map((name) => ({ value: name, label: `${name} (end of ${layers.find((l) => l.name === name)?.block ?? 'a block'})` })),
  ];
  if (!options.some((o) => o.value === value)) options.push({ value, label: value });
  return (
    <SelectField
      label="Head reads"
      testId="hp.head-layer"
      value={value}
      options={options}
      onChange={(v) => useStudio.getState().updateSettings({ headLayer: v })}
      help="The layer whose features the new head classifies. A model's last blocks are tuned to its own task; on other data an earlier block often does better. Auto compares them by cross-validation on the training split."
    />
  );
}
