import { isBusy, textLora, textStepMemory, updateTextSettings, useShallow, useStudio } from '../../state';
import type { LoraTarget } from '../../text/types';
import { loraParamCount } from '../../text/lora';
import { TextNumber } from './TextNumber';

const TARGETS: Array<{ id: LoraTarget; label: string; hf: string }> = [
  { id: 'attn.qkv', label: 'attention query/key/value', hf: 'c_attn' },
  { id: 'attn.proj', label: 'attention output', hf: 'attn.c_proj' },
  { id: 'mlp.fc', label: 'MLP up-projection', hf: 'c_fc' },
  { id: 'mlp.proj', label: 'MLP down-projection', hf: 'mlp.c_proj' },
];

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 24 ? 1 : 0)} MB`;

/** LoRA: low-rank adapters on the frozen transformer's kernels, with what they train and what a step holds, live. */
export function LoraPanel() {
  const s = useStudio(
    useShallow(({ text: t }) => ({
      st: t.settings,
      busy: isBusy(t.status),
      config: t.base?.config ?? null,
      total: t.base?.parameters ?? 0,
      // Numbers, not objects: a fresh object per render would re-render for ever.
      adapters: t.base ? loraParamCount(t.base.config, textLora(t) ?? { rank: 0, alpha: 1 }) : 0,
      memory: textStepMemory(t),
    })),
  );
  const { st, config, adapters } = s;
  if (!config) return null;
  const toggleTarget = (id: LoraTarget, on: boolean) => {
    const next = new Set(st.loraTargets);
    if (on) next.add(id);
    else next.delete(id);
    updateTextSettings({ loraTargets: TARGETS.map((t) => t.id).filter((t) => next.has(t)) });
  };
  return (
    <fieldset className="lora" data-testid="lora.panel">
      <legend>Adapters (LoRA)</legend>
      <label className="check">
        <input
          type="checkbox"
          data-testid="lora.enabled"
          checked={st.lora}
          disabled={s.busy}
          onChange={(e) => updateTextSettings({ lora: e.target.checked })}
        />
        <span>Train low-rank adapters on the frozen layers: each adapted weight W gains A·B × alpha/rank, and only A and B train.</span>
      </label>
      {st.lora && (
        <>
          <div className="hp-grid">
            <TextNumber
              label="Rank"
              help="Columns of A (rows of B): more can learn more, and train more numbers."
              value={st.loraRank}
              min={1}
              max={256}
              integer
              testId="lora.rank"
              disabled={s.busy}
              onChange={(v) => updateTextSettings({ loraRank: v })}
            />
            <TextNumber
              label="Alpha"
              help="The update is scaled by alpha/rank (PEFT's lora_alpha); 2 × rank is common."
              value={st.loraAlpha}
              min={0.01}
              max={1024}
              testId="lora.alpha"
              disabled={s.busy}
              onChange={(v) => updateTextSettings({ loraAlpha: v })}
            />
            <TextNumber
              label="Dropout"
              help="Dropout on each adapter's input while training."
              value={st.loraDropout}
              min={0}
              max={0.9}
              testId="lora.dropout"
              disabled={s.busy}
              onChange={(v) => updateTextSettings({ loraDropout: v })}
            />
          </div>
          <div className="lora-targets" role="group" aria-label="Adapted layers">
            {TARGETS.map((t) => (
              <label key={t.id} className="check">
                <input
                  type="checkbox"
                  data-testid={`lora.target.${t.id}`}
                  checked={st.loraTargets.includes(t.id)}
                  disabled={s.busy}
                  onChange={(e) => toggleTarget(t.id, e.target.checked)}
                />
                <span>
                  {t.label} <code>{t.hf}</code>
                </span>
              </label>
            ))}
          </div>
        </>
      )}
      <p className="freeze-stats">
        <strong data-testid="lora.params" data-value={adapters}>
          {adapters.toLocaleString('en')}
        </strong>{' '}
        adapter parameters ({s.total ? ((100 * adapters) / s.total).toFixed(2) : '0'} % of the model's {s.total.toLocaleString('en')}).{' '}
        {s.memory !== null && (
          <span data-testid="lora.memory" data-value={Math.round(s.memory)}>
            About {mb(s.memory)} per training step at batch {st.batchSize} × context{' '}
            {Math.min(st.contextLength ?? config.contextLength, config.contextLength)}.
          </span>
        )}
        {s.memory !== null && s.memory > 2 ** 31 && (
          <span className="note note-warn" data-testid="lora.memory-warning">
            {' '}
            That is more than a browser usually gives one tab&apos;s GPU: lower the batch size or the context (step 3), or train fewer
            layers.
          </span>
        )}
      </p>
    </fieldset>
  );
}
