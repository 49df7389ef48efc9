/**
 * Opens nested models. A Layers model whose layers include whole models — a Sequential or a
 * functional Model, at any depth, as Teachable Machine exports (Sequential[truncated MobileNet,
 * Sequential[Dense, Dense]]) — is rebuilt as one functional model of its real layers: convolutions,
 * batch norms, activations, adds. The layer table, freezing, the WASM guard, the frozen-prefix cache
 * and the exporters then see every layer, not one opaque container.
 *
 * The rebuild works on the saved topology (the model's own `toJSON`): every leaf layer keeps its
 * config and its name from model.json, its inbound nodes are rewired to the flat graph (a nested
 * model's inputs become whatever fed it, its outputs whatever it returned), and the weights are
 * handed over from the loaded layers (the same tensor data, not a copy). A DAG inside a nested
 * model (residual Adds) stays a DAG.
 *
 * Names: the first layer (in model order, depth first) with a name keeps it; a later layer with the
 * same name becomes `<its model's name>/<name>` (then `_2`, `_3`, … if that is taken too), so the
 * names, and the layer table's ids, are the same every time the model loads.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type Layer = tfTypes.layers.Layer;

const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);

/** One layer entry of a saved topology. */
interface LayerJson {
  name?: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

/** A tensor of the flat graph: [layer, node index, tensor index]. */
type Ref = [string, number, number];

interface FlatLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[][];
}

export interface FlattenResult {
  model: tfTypes.LayersModel;
  /** The nested models that were opened, in model order (outermost first). */
  containers: string[];
  /** Layers whose name was taken by an earlier layer: their path in the original and their new name. */
  renamed: { from: string; to: string }[];
}

/** Why a model could not be flattened; the caller keeps it nested. */
export class FlattenUnsupported extends Error {}

export function isContainer(layer: Layer): layer is Layer & { layers: Layer[] } {
  return Array.isArray((layer as unknown as { layers?: unknown }).layers);
}

/** Whether any layer of `model` is itself a model. */
export function hasNestedModels(model: tfTypes.LayersModel): boolean {
  return model.layers.some(isContainer);
}

function entryName(e: LayerJson): string {
  const n = e.name ?? e.config.name;
  if (typeof n !== 'string' || !n) throw new FlattenUnsupported(`a ${e.class_name} layer has no name`);
  return n;
}

function sequentialEntries(config: unknown): LayerJson[] {
  if (Array.isArray(config)) return config as LayerJson[];
  const layers = (config as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) throw new FlattenUnsupported('a Sequential model without a layer list');
  return layers as LayerJson[];
}

/** [layer, node, tensor, kwargs?] as Keras writes one input of a node. */
function parseInbound(raw: unknown): { layer: string; node: number; tensor: number; kwargs: Record<string, unknown> } {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string' || typeof raw[1] !== 'number' || typeof raw[2] !== 'number') {
    throw new FlattenUnsupported('an inbound node in an unknown format');
  }
  const kwargs = raw[3] && typeof raw[3] === 'object' ? (raw[3] as Record<string, unknown>) : {};
  return { layer: raw[0], node: raw[1], tensor: raw[2], kwargs };
}

class Flattener {
  readonly layers: FlatLayer[] = [];
  /** Flat layer name → the names leading to it in the original model (containers, then the layer). */
  readonly sources = new Map<string, string[]>();
  readonly containers: string[] = [];
  readonly renamed: { from: string; to: string }[] = [];
  private readonly taken = new Set<string>();

  /** `root`: the outermost model's name, the owner of its own layers when one is renamed. */
  constructor(private readonly root: string) {}

  private claim(name: string, path: readonly string[]): string {
    let flat = name;
    if (this.taken.has(flat)) {
      const owner = path[path.length - 1] ?? this.root;
      flat = `${owner}/${name}`;
      for (let i = 2; this.taken.has(flat); i++) flat = `${owner}/${name}_${i}`;
      this.renamed.push({ from: [...path, name].join('/'), to: flat });
    }
    this.taken.add(flat);
    return flat;
  }

  /** Adds a leaf layer called once on `inputs` (none for an InputLayer); returns its flat name. */
  private leaf(e: LayerJson, path: readonly string[], inputs: { ref: Ref; kwargs: Record<string, unknown> }[]): string {
    const original = entryName(e);
    const name = this.claim(original, path);
    const config: Record<string, unknown> = { ...e.config, name };
    if (e.class_name !== 'InputLayer') {
      // Only a model's first layer may declare the model's input; here every layer has a real input.
      delete config.batch_input_shape;
      delete config.batchInputShape;
      delete config.input_shape;
      delete config.inputShape;
    }
    this.layers.push({
      name,
      class_name: e.class_name,
      config,
      inbound_nodes: inputs.length ? [inputs.map((i) => [...i.ref, i.kwargs])] : [],
    });
    this.sources.set(name, [...path, original]);
    return name;
  }

  private input(config: Record<string, unknown>, path: readonly string[]): Ref {
    return [this.leaf({ class_name: 'InputLayer', config }, path, []), 0, 0];
  }

  /**
   * Expands a model called on `ins` (null: nothing feeds it, so its inputs become the flat model's
   * inputs: the outermost model, or the first layer of the outermost Sequential).
   */
  expand(e: LayerJson, path: readonly string[], ins: Ref[] | null, nested = true): Ref[] {
    const inner = nested ? [...path, entryName(e)] : [...path];
    if (nested) this.containers.push(inner.join('/'));
    return e.class_name === 'Sequential' ? this.sequential(e.config, inner, ins) : this.functional(e.config, inner, ins);
  }

  private sequential(config: unknown, path: readonly string[], ins: Ref[] | null): Ref[] {
    if (ins && ins.length !== 1) throw new FlattenUnsupported('a Sequential model called on several inputs');
    let x: Ref | null = ins ? (ins[0] as Ref) : null;
    for (const e of sequentialEntries(config)) {
      if (e.class_name === 'InputLayer') {
        if (!x) x = this.input(e.config, path);
        continue;
      }
      if (CONTAINERS.has(e.class_name)) {
        const outs = this.expand(e, path, x ? [x] : null);
        if (outs.length !== 1) throw new FlattenUnsupported('a model with several outputs inside a Sequential');
        x = outs[0] as Ref;
        continue;
      }
      if (!x) {
        // The outermost Sequential's first layer declares the input, as tfjs names it.
        const shape = e.config.batch_input_shape ?? e.config.batchInputShape;
        if (!Array.isArray(shape)) throw new FlattenUnsupported('a Sequential model without an input shape');
        x = this.input(
          { batch_input_shape: shape, dtype: e.config.dtype ?? 'float32', sparse: false, name: `${entryName(e)}_input` },
          path,
        );
      }
      x = [this.leaf(e, path, [{ ref: x, kwargs: {} }]), 0, 0];
    }
    if (!x) throw new FlattenUnsupported('an empty Sequential model');
    return [x];
  }

  private functional(config: unknown, path: readonly string[], ins: Ref[] | null): Ref[] {
    const c = config as { layers?: LayerJson[]; input_layers?: unknown[]; output_layers?: unknown[] };
    if (!Array.isArray(c.layers) || !Array.isArray(c.input_layers) || !Array.isArray(c.output_layers)) {
      throw new FlattenUnsupported('a functional model without layers, inputs or outputs');
    }
    const inputNames = c.input_layers.map((r) => parseInbound(r).layer);
    if (ins && ins.length !== inputNames.length) throw new FlattenUnsupported('a nested model called on the wrong number of inputs');
    /**
     * Layer name → its output tensors in the flat graph. Every layer is called once in this model, so
     * the node index of a reference is not needed (tfjs counts a nested model's own internal node, so
     * its first call here is node 1).
     */
    const produced = new Map<string, (tensor: number) => Ref>();
    const pending: LayerJson[] = [];
    for (const e of c.layers) {
      const name = entryName(e);
      if (e.class_name === 'InputLayer') {
        const i = inputNames.indexOf(name);
        if (ins) {
          const given = ins[i];
          if (!given) throw new FlattenUnsupported(`the input ${name} of a nested model is not one of its inputs`);
          produced.set(name, () => given);
        } else {
          const ref = this.input(e.config, path);
          produced.set(name, (t) => [ref[0], 0, t]);
        }
        continue;
      }
      const nodes = e.inbound_nodes ?? [];
      if (nodes.length !== 1) throw new FlattenUnsupported(`the layer ${name} is used ${nodes.length} times`);
      pending.push(e);
    }
    // Entries are in an order where each layer's inputs come first, but do not rely on it.
    while (pending.length) {
      const before = pending.length;
      for (let k = 0; k < pending.length; k++) {
        const e = pending[k] as LayerJson;
        const node = (e.inbound_nodes?.[0] ?? []) as unknown[];
        const inputs = node.map(parseInbound);
        if (!inputs.every((i) => produced.has(i.layer))) continue;
        const refs = inputs.map((i) => ({ ref: (produced.get(i.layer) as (t: number) => Ref)(i.tensor), kwargs: i.kwargs }));
        const name = entryName(e);
        if (CONTAINERS.has(e.class_name)) {
          if (refs.some((r) => Object.keys(r.kwargs).length > 0))
            throw new FlattenUnsupported(`the nested model ${name} is called with options`);
          const outs = this.expand(
            e,
            path,
            refs.map((r) => r.ref),
          );
          produced.set(name, (t) => {
            const out = outs[t];
            if (!out) throw new FlattenUnsupported(`the nested model ${name} has no output ${t}`);
            return out;
          });
        } else {
          const flat = this.leaf(e, path, refs);
          produced.set(name, (t) => [flat, 0, t]);
        }
        pending.splice(k--, 1);
      }
      if (pending.length === before) throw new FlattenUnsupported('layers whose inputs are never computed');
    }
    return c.output_layers.map((r) => {
      const o = parseInbound(r);
      const out = produced.get(o.layer);
      if (!out) throw new FlattenUnsupported(`the output ${o.layer} is not computed`);
      return out(o.tensor);
    });
  }
}

/** The live layer at `path` (names of nested models, then the layer) in `model`. */
function layerAt(model: tfTypes.LayersModel, path: readonly string[]): Layer {
  let container: tfTypes.LayersModel = model;
  let layer: Layer | null = null;
  for (const name of path) {
    layer = container.getLayer(name);
    if (isContainer(layer)) container = layer as unknown as tfTypes.LayersModel;
  }
  if (!layer) throw new FlattenUnsupported('an empty layer path');
  return layer;
}

/**
 * One functional model of `model`'s leaf layers, with its weights (shared tensor data). Throws
 * FlattenUnsupported when a layer or a nested model is used more than once, or the topology is in a
 * form this does not read. `model` itself is left as it was; the caller disposes it.
 */
export async function flattenModel(tf: Tf, model: tfTypes.LayersModel): Promise<FlattenResult> {
  const topology = model.toJSON(null, false) as unknown as LayerJson;
  const f = new Flattener(model.name);
  const outs = f.expand({ ...topology, name: model.name }, [], null, false);
  const inputs = f.layers.filter((l) => l.class_name === 'InputLayer').map((l) => [l.name, 0, 0]);
  const flatJson = {
    class_name: 'Model',
    config: { name: model.name, layers: f.layers, input_layers: inputs, output_layers: outs },
  };
  const flat = await tf.models.modelFromJSON({ modelTopology: flatJson as unknown as tfTypes.io.ModelJSON['modelTopology'] });
  try {
    for (const layer of flat.layers) {
      if (layer.weights.length === 0) continue;
      const path = f.sources.get(layer.name);
      if (!path) throw new FlattenUnsupported(`the layer ${layer.name} has no source`);
      // setWeights assigns: the flat layer's variables take the loaded tensors' data, no copy.
      layer.setWeights(layerAt(model, path).getWeights());
    }
  } catch (err) {
    flat.dispose();
    throw err;
  }
  return { model: flat, containers: f.containers, renamed: f.renamed };
}
